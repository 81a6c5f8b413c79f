// CSV upload and download of the data points. An uploaded file is parsed by the engine
// (which names the bad line and column) and becomes a `custom` dataset; a file that
// does not parse leaves the experiment as it was. Download saves the current points.
export function createCsvTools({ upload, download }, { engine, banner, onPoints }) {
  upload.addEventListener('change', async () => {
    const file = upload.files[0];
    upload.value = '';
    if (!file) return;
    try {
      const parsed = await engine.call('parsePointsCsv', { text: await file.text() });
      await onPoints(parsed, file.name);
    } catch (e) {
      banner.show(`${file.name} could not be used: ${e.message} The current data is unchanged.`);
    }
  });
  download.addEventListener('click', async () => {
    try {
      const text = await engine.call('pointsCsv');
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: 'glassbox-points.csv' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      banner.show(`The points could not be saved: ${e.message}`);
    }
  });
}
