// Ready-made CNN stacks for a dataset with `classes` classes.
const conv = (filters, kernel, extra = {}) => ({ type: 'conv2d', filters, kernel, ...extra });
const act = (fn) => ({ type: 'activation', function: fn });
const pool = (op, size) => (size ? { type: 'pool', op, size } : { type: 'pool', op });
const dense = (units) => ({ type: 'dense', units });
const flatten = { type: 'flatten' };

export const PRESETS = {
  lenet: {
    label: 'LeNet-like',
    title: 'Two conv + max-pool stages and two dense layers (LeCun et al. 1998, with ReLU)',
    layers: (k) => [conv(6, 5), act('relu'), pool('max', 2), conv(16, 5, { padding: 'valid' }), act('relu'), pool('max', 2), flatten, dense(64), act('relu'), dense(k)],
  },
  allConv: {
    label: 'all-convolutional',
    title: 'Stride-2 convolutions instead of pooling; a 1×1-free class conv and global average (Springenberg et al. 2015)',
    layers: (k) => [conv(16, 3, { stride: 2 }), act('relu'), conv(32, 3, { stride: 2 }), act('relu'), conv(k, 3), pool('avg'), flatten],
  },
  gap: {
    label: 'GAP head (for CAM)',
    title: 'Convolutions, then global average pooling and one dense layer: class activation maps need this head',
    layers: (k) => [conv(16, 3), act('relu'), pool('max', 2), conv(32, 3), act('relu'), pool('avg'), flatten, dense(k)],
  },
  logAvgExp: {
    label: 'logavgexp pooling',
    title: 'Pooling by log-average-exp, between average and max; the global one learns its temperature',
    layers: (k) => [conv(16, 3), act('relu'), pool('logAvgExp', 2), conv(32, 3), act('relu'), { type: 'pool', op: 'logAvgExp', learnTemperature: true }, flatten, dense(k)],
  },
  ail: {
    label: 'AIL activations',
    title: 'Logical gates (AND/OR/XNOR approximations) that pair adjacent channels or units, halving them',
    layers: (k) => [conv(16, 3), act('orAil'), pool('max', 2), conv(32, 3), act('andAil'), pool('max', 2), flatten, dense(64), act('xnorAil'), dense(k)],
  },
  residualSe: {
    label: 'residual + SE',
    title: 'A batch-normalised residual block followed by squeeze-and-excitation channel gates',
    layers: (k) => [conv(16, 3), { type: 'batchNorm' }, act('relu'), { type: 'residual', layers: [conv(16, 3), { type: 'batchNorm' }, act('relu'), conv(16, 3)] }, { type: 'squeezeExcite' }, pool('max', 2), flatten, dense(k)],
  },
};
