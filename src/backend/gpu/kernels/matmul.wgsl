// Tiled matrix product C[m, n] = op(A)[m, k] · op(B)[k, n], where op transposes a
// matrix stored row-major when its flag is set. Each 8×8 workgroup computes a 32×32
// tile of C (4×4 outputs per thread, strided by 8 so neighbouring threads touch
// neighbouring columns), staging 32-deep slices of A and B in workgroup memory.
// Out-of-range elements load as zero, so any shape works.

struct Params {
    m: u32,
    n: u32,
    k: u32,
    trans_a: u32,
    trans_b: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE: u32 = 32u;    // side of the output tile and depth of a K slice
const THREADS: u32 = 8u;  // threads per workgroup side
const PER: u32 = 4u;      // outputs per thread per side (TILE / THREADS)

var<workgroup> tile_a: array<array<f32, TILE>, TILE>; // [row][k]
var<workgroup> tile_b: array<array<f32, TILE>, TILE>; // [k][col]

// op(A)[row, col], zero outside the matrix.
fn load_a(row: u32, col: u32) -> f32 {
    if (row >= p.m || col >= p.k) {
        return 0.0;
    }
    if (p.trans_a != 0u) {
        return a[col * p.m + row];
    }
    return a[row * p.k + col];
}

// op(B)[row, col], zero outside the matrix.
fn load_b(row: u32, col: u32) -> f32 {
    if (row >= p.k || col >= p.n) {
        return 0.0;
    }
    if (p.trans_b != 0u) {
        return b[col * p.k + row];
    }
    return b[row * p.n + col];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let tid = lid.y * THREADS + lid.x;
    var acc: array<vec4<f32>, PER>; // acc[i][j] is C[row0 + lid.y + 8i, col0 + lid.x + 8j]

    let slices = (p.k + TILE - 1u) / TILE;
    for (var s = 0u; s < slices; s++) {
        let k0 = s * TILE;
        for (var e = tid; e < TILE * TILE; e += THREADS * THREADS) {
            let r = e / TILE;
            let q = e % TILE;
            tile_a[r][q] = load_a(row0 + r, k0 + q);
            tile_b[r][q] = load_b(k0 + r, col0 + q);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TILE; kk++) {
            let bv = vec4<f32>(
                tile_b[kk][lid.x],
                tile_b[kk][lid.x + THREADS],
                tile_b[kk][lid.x + 2u * THREADS],
                tile_b[kk][lid.x + 3u * THREADS],
            );
            for (var i = 0u; i < PER; i++) {
                acc[i] += tile_a[lid.y + i * THREADS][kk] * bv;
            }
        }
        workgroupBarrier();
    }

    for (var i = 0u; i < PER; i++) {
        let row = row0 + lid.y + i * THREADS;
        for (var j = 0u; j < PER; j++) {
            let col = col0 + lid.x + j * THREADS;
            if (row < p.m && col < p.n) {
                c[row * p.n + col] = acc[i][j];
            }
        }
    }
}
