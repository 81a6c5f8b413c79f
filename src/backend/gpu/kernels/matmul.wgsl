// Tiled matrix product C[m, n] = op(A)[m, k] · op(B)[k, n], where op transposes a
// matrix stored row-major when its flag is set. Each 8×8 workgroup computes a 32×32
// tile of C, each thread a 4×4 block of neighbouring outputs, staging 32-deep slices of
// op(A) and op(B) in workgroup memory as vec4s. Storage is read four consecutive
// elements at a time through read_a/read_b, which come from matmul_scalar.wgsl (any
// shape) or matmul_vec4.wgsl (stored row lengths divisible by 4), substituted for the
// LOADS placeholder below. Out-of-range elements read as zero, so any shape works.

struct Params {
    m: u32,
    n: u32,
    k: u32,
    trans_a: u32,
    trans_b: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE: u32 = 32u;    // side of the output tile and depth of a K slice
const THREADS: u32 = 8u;  // threads per workgroup side
const QUADS: u32 = 8u;    // vec4s per tile row (TILE / 4)

var<workgroup> tile_a: array<array<vec4<f32>, QUADS>, TILE>; // [row][k / 4]
var<workgroup> tile_b: array<array<vec4<f32>, QUADS>, TILE>; // [k][col / 4]

// (rows, cols) of A and B as stored.
fn stored_a() -> vec2<u32> {
    return select(vec2(p.m, p.k), vec2(p.k, p.m), p.trans_a != 0u);
}

fn stored_b() -> vec2<u32> {
    return select(vec2(p.k, p.n), vec2(p.n, p.k), p.trans_b != 0u);
}

{{LOADS}}

// Stages op(A)[row0.., k0..] and op(B)[k0.., col0..]: each thread reads 4 + 4 quads of
// storage. A quad runs along a tile row when the operand is stored untransposed, and
// down a tile column when it is stored transposed.
fn stage(tid: u32, row0: u32, col0: u32, k0: u32) {
    for (var s = 0u; s < 4u; s++) {
        let e = tid + s * THREADS * THREADS;
        let r = e / QUADS;
        let q = e % QUADS;
        if (p.trans_a == 0u) {
            tile_a[r][q] = read_a(row0 + r, k0 + 4u * q);
        } else {
            let v = read_a(k0 + r, row0 + 4u * q); // op(A)[row0 + 4q + i, k0 + r]
            for (var i = 0u; i < 4u; i++) {
                tile_a[4u * q + i][r / 4u][r % 4u] = v[i];
            }
        }
        if (p.trans_b == 0u) {
            tile_b[r][q] = read_b(k0 + r, col0 + 4u * q);
        } else {
            let v = read_b(col0 + r, k0 + 4u * q); // op(B)[k0 + 4q + i, col0 + r]
            for (var i = 0u; i < 4u; i++) {
                tile_b[4u * q + i][r / 4u][r % 4u] = v[i];
            }
        }
    }
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let tid = lid.y * THREADS + lid.x;
    var acc: array<vec4<f32>, 4>; // acc[i][j] is C[row0 + 4·lid.y + i, col0 + 4·lid.x + j]

    let slices = (p.k + TILE - 1u) / TILE;
    for (var s = 0u; s < slices; s++) {
        stage(tid, row0, col0, s * TILE);
        workgroupBarrier();
        for (var q = 0u; q < QUADS; q++) {
            let b0 = tile_b[4u * q][lid.x];
            let b1 = tile_b[4u * q + 1u][lid.x];
            let b2 = tile_b[4u * q + 2u][lid.x];
            let b3 = tile_b[4u * q + 3u][lid.x];
            for (var i = 0u; i < 4u; i++) {
                let av = tile_a[4u * lid.y + i][q];
                acc[i] += av.x * b0;
                acc[i] += av.y * b1;
                acc[i] += av.z * b2;
                acc[i] += av.w * b3;
            }
        }
        workgroupBarrier();
    }

    for (var i = 0u; i < 4u; i++) {
        let row = row0 + 4u * lid.y + i;
        for (var j = 0u; j < 4u; j++) {
            let col = col0 + 4u * lid.x + j;
            if (row < p.m && col < p.n) {
                c[row * p.n + col] = acc[i][j];
            }
        }
    }
}
