// matmul.wgsl's storage reads when both operands' stored row lengths are multiples of 4
// (the host checks): one aligned vec4 load per quad, which then lies wholly inside or
// wholly outside the matrix.

@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;

fn read_a(row: u32, col: u32) -> vec4<f32> {
    let dims = stored_a();
    if (row >= dims.x || col >= dims.y) {
        return vec4<f32>(0.0);
    }
    return a[(row * dims.y + col) / 4u];
}

fn read_b(row: u32, col: u32) -> vec4<f32> {
    let dims = stored_b();
    if (row >= dims.x || col >= dims.y) {
        return vec4<f32>(0.0);
    }
    return b[(row * dims.y + col) / 4u];
}
