//! The masks explanation-guided training reads, per training row and input feature: M,
//! what must not matter (in [0, 1]), and K, which pixels take part in the penalty (0 or 1).
//! Built from the dataset's decoys or ground truth or from painted bitsets, grown
//! (`dilate`), blurred (`soften`) and thinned to the confident pixels (`confidence`), then
//! broadcast over channels.

use crate::data::Dataset;
use crate::spec::{Guidance, GuidanceMask};

/// M and K, row-major [n_train, features].
#[derive(Debug)]
pub(super) struct Masks {
    pub must_not: Vec<f32>,
    pub counted: Vec<f32>,
}

/// The masks of `guidance` on the training rows of `data`.
pub(super) fn masks(guidance: &Guidance, data: &Dataset) -> Result<Masks, String> {
    let (channels, dims): (usize, Vec<usize>) = match data.image {
        Some([c, h, w]) => (c, vec![h, w]),
        None => (1, vec![data.n_features]),
    };
    let per = dims.iter().product::<usize>();
    let marked = marked(guidance, data, per)?;
    let mut must_not = Vec::with_capacity(data.n_train * data.n_features);
    let mut counted = Vec::with_capacity(data.n_train * data.n_features);
    for row in marked.chunks_exact(per) {
        let grown = dilate(row, &dims, guidance.dilate as usize);
        let soft = soften(&grown.iter().map(|&m| f32::from(m)).collect::<Vec<_>>(), &dims, guidance.soften);
        let confident: Vec<f32> = soft.iter().map(|&m| f32::from((2.0 * m - 1.0).abs() >= guidance.confidence)).collect();
        for _ in 0..channels {
            must_not.extend_from_slice(&soft);
            counted.extend_from_slice(&confident);
        }
    }
    Ok(Masks { must_not, counted })
}

/// The binary mask (1: must not matter) of every training row, [n_train, pixels].
fn marked(guidance: &Guidance, data: &Dataset, per: usize) -> Result<Vec<u8>, String> {
    let source = match guidance.mask {
        GuidanceMask::Decoy => &data.decoy_masks,
        GuidanceMask::Background => &data.masks,
        GuidanceMask::Painted => {
            if data.image.is_none() {
                return Err("painted guidance masks need an image dataset".into());
            }
            let mut out = vec![0u8; data.n_train * per];
            for p in &guidance.painted {
                let row = p.index as usize;
                if row >= data.n_train {
                    return Err(format!("training.guidance.painted row {row} is not a training row (the training split has {})", data.n_train));
                }
                out[row * per..(row + 1) * per].copy_from_slice(&p.decode(per)?);
            }
            return Ok(out);
        }
    };
    if source.len() != data.len() * per {
        let what = if guidance.mask == GuidanceMask::Decoy { "decoy masks" } else { "ground-truth masks" };
        return Err(format!("guidance needs {what} for every sample, and this dataset has none"));
    }
    let rows = source.chunks_exact(per).take(data.n_train);
    if guidance.mask == GuidanceMask::Background {
        return Ok(rows.flatten().map(|&m| u8::from(m == 0)).collect());
    }
    // Every place a decoy appears in the training split: a sample's own decoy alone
    // would leave the others' places free, and "the other corners are dark" names the
    // class as well as "my corner is lit".
    let places = rows.fold(vec![0u8; per], |acc, row| acc.iter().zip(row).map(|(&a, &b)| a | b).collect());
    Ok(places.repeat(data.n_train))
}

/// [h, w] of a mask's `dims` ([h, w] for images, [len] for signals: one row).
fn plane(dims: &[usize]) -> (usize, usize) {
    match *dims {
        [h, w] => (h, w),
        [len] => (1, len),
        _ => unreachable!("masks are 1-D or 2-D"),
    }
}

/// Grows a binary mask by `radius` in every direction of its `dims` (a square
/// neighbourhood).
fn dilate(mask: &[u8], dims: &[usize], radius: usize) -> Vec<u8> {
    if radius == 0 {
        return mask.to_vec();
    }
    let (h, w) = plane(dims);
    let ry = if h == 1 { 0 } else { radius };
    let mut out = vec![0u8; mask.len()];
    for y in 0..h {
        for x in 0..w {
            let hit = (y.saturating_sub(ry)..=(y + ry).min(h - 1))
                .any(|yy| (x.saturating_sub(radius)..=(x + radius).min(w - 1)).any(|xx| mask[yy * w + xx] != 0));
            out[y * w + x] = hit as u8;
        }
    }
    out
}

/// Blurs a mask with a Gaussian of standard deviation `sigma` (0: unchanged), truncated
/// at 3σ and renormalised over the pixels inside the image, so values stay in [0, 1] and
/// a uniform mask stays uniform.
fn soften(mask: &[f32], dims: &[usize], sigma: f32) -> Vec<f32> {
    if sigma == 0.0 {
        return mask.to_vec();
    }
    let (h, w) = plane(dims);
    let radius = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-radius..=radius).map(|d| (-((d * d) as f32) / (2.0 * sigma * sigma)).exp()).collect();
    // Along one axis: `len` values `stride` apart from `start`.
    let blur = |values: &mut [f32], start: usize, stride: usize, len: usize| {
        let line: Vec<f32> = (0..len).map(|i| values[start + i * stride]).collect();
        for i in 0..len as isize {
            let (mut sum, mut weight) = (0.0, 0.0);
            for (d, k) in (-radius..=radius).zip(&kernel) {
                if let Some(&v) = line.get((i + d) as usize).filter(|_| i + d >= 0) {
                    sum += k * v;
                    weight += k;
                }
            }
            values[start + i as usize * stride] = (sum / weight).clamp(0.0, 1.0);
        }
    };
    let mut out = mask.to_vec();
    for y in 0..h {
        blur(&mut out, y * w, 1, w);
    }
    if h > 1 {
        for x in 0..w {
            blur(&mut out, x, w, h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::PaintedMask;

    fn guidance(json: &str) -> Guidance {
        serde_json::from_str(json).unwrap()
    }

    /// Three 2-channel 3×4 images, two of them training rows, with object masks.
    fn data() -> Dataset {
        Dataset {
            features: vec![0.5; 3 * 24],
            labels: vec![0, 1, 0],
            n_features: 24,
            classes: 2,
            n_train: 2,
            image: Some([2, 3, 4]),
            masks: (0..36).map(|i| u8::from(i % 5 == 0)).collect(),
            decoy_masks: [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0; 12]].concat(),
            ..Dataset::default()
        }
    }

    #[test]
    fn dilation_grows_a_mask_by_a_square_neighbourhood_and_stays_inside() {
        let mut m = vec![0u8; 25];
        m[12] = 1; // the centre of 5×5
        let d = dilate(&m, &[5, 5], 1);
        let lit: Vec<usize> = (0..25).filter(|&i| d[i] == 1).collect();
        assert_eq!(lit, [6, 7, 8, 11, 12, 13, 16, 17, 18]);
        m = vec![0u8; 25];
        m[0] = 1; // a corner clips at the edge
        assert_eq!(dilate(&m, &[5, 5], 2).iter().filter(|&&v| v == 1).count(), 9);
        assert_eq!(dilate(&[0, 0, 1, 0, 0, 0], &[6], 2), [1, 1, 1, 1, 1, 0]);
        assert_eq!(dilate(&[0, 1, 0], &[3], 0), [0, 1, 0]);
    }

    /// A blurred point spreads symmetrically and peaks where it was; a blurred edge
    /// falls monotonically across it; uniform masks stay uniform; values stay in [0, 1].
    #[test]
    fn softening_blurs_into_the_unit_interval_and_keeps_uniform_masks() {
        // 15×15 with the point in the middle: every window of the 3σ kernel fits inside.
        let mut point = vec![0.0f32; 225];
        point[112] = 1.0;
        let soft = soften(&point, &[15, 15], 1.0);
        assert!(soft.iter().all(|v| (0.0..=1.0).contains(v)));
        let peak = soft.iter().cloned().fold(0.0, f32::max);
        assert_eq!(soft[112], peak);
        assert!(soft[112] < 1.0 && soft[111] > 0.0 && soft[111] < soft[112]);
        assert_eq!(soft[111], soft[113]);
        assert_eq!(soft[97], soft[127]);
        assert!((soft[111] / soft[112] - (-0.5f32).exp()).abs() < 1e-5, "one pixel away: e^(−1/2) of the peak");
        assert!((soft.iter().sum::<f32>() - 1.0).abs() < 1e-5, "mass is kept away from the edges");
        for v in [0.0, 1.0] {
            assert!(soften(&[v; 20], &[4, 5], 2.0).iter().all(|&s| (s - v).abs() < 1e-6));
        }
        let edge: Vec<f32> = (0..10).map(|i| f32::from(u8::from(i >= 5))).collect();
        let soft = soften(&edge, &[10], 1.5);
        assert!(soft.windows(2).all(|p| p[0] <= p[1]), "{soft:?}");
        assert!(soft[4] > 0.0 && soft[5] < 1.0 && (soft[4] + soft[5] - 1.0).abs() < 1e-6);
        assert_eq!(soften(&edge, &[10], 0.0), edge);
    }

    /// Confidence keeps the pixels whose softened mask is clearly 0 or 1 and drops the
    /// blurred edge; 0 keeps every pixel.
    #[test]
    fn confidence_drops_the_unsure_edge_of_a_soft_mask() {
        let d = data();
        let all = masks(&guidance(r#"{"lambda": 1, "mask": "background", "soften": 1}"#), &d).unwrap();
        assert!(all.counted.iter().all(|&k| k == 1.0));
        let sure = masks(&guidance(r#"{"lambda": 1, "mask": "background", "soften": 1, "confidence": 0.5}"#), &d).unwrap();
        assert_eq!(sure.must_not, all.must_not, "confidence leaves M alone");
        for (&m, &k) in sure.must_not.iter().zip(&sure.counted) {
            assert_eq!(k == 1.0, (2.0 * m - 1.0).abs() >= 0.5, "M {m}, K {k}");
        }
        assert!(sure.counted.contains(&0.0) && sure.counted.contains(&1.0));
    }

    /// The decoy mask is the union of the training rows' decoys on every row, the
    /// background the complement of the object; both broadcast over channels.
    #[test]
    fn decoy_and_background_masks_cover_the_right_pixels_in_every_channel() {
        let d = data();
        let decoy = masks(&guidance(r#"{"lambda": 1, "mask": "decoy"}"#), &d).unwrap();
        let union: Vec<f32> = [1.0, 0.0, 0.0, 1.0].into_iter().chain([0.0; 8]).collect();
        assert_eq!(decoy.must_not, [union.clone(), union.clone(), union.clone(), union].concat());
        let background = masks(&guidance(r#"{"lambda": 1, "mask": "background"}"#), &d).unwrap();
        for row in 0..2 {
            for c in 0..2 {
                for p in 0..12 {
                    let want = f32::from(d.masks[row * 12 + p] == 0);
                    assert_eq!(background.must_not[row * 24 + c * 12 + p], want);
                }
            }
        }
    }

    /// Painted bits land on their pixels (bit i of the row-major bitset on pixel i, in
    /// every channel); unpainted rows get no mask.
    #[test]
    fn painted_bits_land_on_their_pixels() {
        let d = data();
        let painted = [0u8, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]; // pixels 1, 9, 10 of 3×4
        let bits = PaintedMask::encode(1, &painted);
        // Byte 0 holds pixels 0..8 (bit 1 set), byte 1 pixels 8..12 (bits 1 and 2).
        assert_eq!(bits.bits, base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [0b10, 0b110]));
        let mut g = guidance(r#"{"lambda": 1, "mask": "painted"}"#);
        g.painted = vec![bits];
        let m = masks(&g, &d).unwrap();
        assert!(m.must_not[..24].iter().all(|&v| v == 0.0), "row 0 is unpainted");
        let want: Vec<f32> = painted.iter().map(|&b| f32::from(b)).collect();
        assert_eq!(m.must_not[24..36], want[..]);
        assert_eq!(m.must_not[36..48], want[..]);
        g.painted = vec![PaintedMask::encode(2, &painted)];
        assert!(masks(&g, &d).unwrap_err().contains("not a training row"));
        g.painted = vec![PaintedMask { index: 0, bits: "AAAA".into() }];
        assert!(masks(&g, &d).unwrap_err().contains("needs 2"));
    }
}
