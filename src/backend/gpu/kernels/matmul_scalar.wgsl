// matmul.wgsl's storage reads for any shape: one element at a time, each bounds-checked.

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;

fn read_a(row: u32, col: u32) -> vec4<f32> {
    let dims = stored_a();
    var v = vec4<f32>(0.0);
    if (row < dims.x) {
        for (var i = 0u; i < 4u; i++) {
            if (col + i < dims.y) {
                v[i] = a[row * dims.y + col + i];
            }
        }
    }
    return v;
}

fn read_b(row: u32, col: u32) -> vec4<f32> {
    let dims = stored_b();
    var v = vec4<f32>(0.0);
    if (row < dims.x) {
        for (var i = 0u; i < 4u; i++) {
            if (col + i < dims.y) {
                v[i] = b[row * dims.y + col + i];
            }
        }
    }
    return v;
}
