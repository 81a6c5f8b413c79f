// Saving files from the page: a Blob (or text) handed to the browser as a download.
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const saveText = (text, filename, type = 'application/json') => saveBlob(new Blob([text], { type }), filename);
