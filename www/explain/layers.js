// The model's conv layers as [[id, label]] for the method pickers' layer parameters
// (Grad-CAM and friends), read from the engine's layer shapes.
export async function convLayers(call, model) {
  const shapes = await call('layerShapes', { model });
  return shapes.map((l, id) => [l, id]).filter(([l]) => l.kind === 'conv2d').map(([l, id]) => [String(id), `${id}: conv2d ${l.output}`]);
}
