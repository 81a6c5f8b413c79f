//! DRSA: K orthonormal d-dimensional subspaces (concepts) of the layer's channel space
//! that maximise the samples' mean soft-max pooled concept relevance
//! J(U) = mean_n (Σ_k max(R_nk, 0)^q)^(1/q), R_nk = Σ_p (U_kᵀa_p)ᵀ(U_kᵀc_p). Pooling
//! with q > 1 rewards explaining each sample by few concepts, which disentangles them.
//! Riemannian gradient ascent on the Stiefel manifold (tangent projection, Gram–Schmidt
//! retraction) with a step that halves until J rises, from a seeded random basis. It
//! runs on the host in f64 (the layer statistics are small), reporting each iteration.

use super::super::{Progress, CANCELLED};
use super::{project, Basis, LayerSamples};
use crate::linalg::{dot, orthonormalise};
use crate::rng::{Rng, Stream};

#[derive(Clone, Debug, PartialEq)]
pub struct DrsaOptions {
    pub concepts: usize,
    /// Dimensions per concept.
    pub size: usize,
    /// The soft-max pooling exponent (1: plain sum; larger: closer to the max).
    pub q: f64,
    pub iterations: usize,
    pub seed: u32,
}

/// Every sample's relevance per concept (the columns of `u` taken `size` at a time).
fn concept_relevance(s: &LayerSamples, u: &[Vec<f64>], size: usize) -> Vec<Vec<f64>> {
    (0..s.len())
        .map(|n| {
            let mut r = vec![0.0; u.len() / size];
            for (a, c) in s.points(n) {
                let (h, g) = (project(u, a), project(u, c));
                h.iter().zip(&g).enumerate().for_each(|(i, (h, g))| r[i / size] += h * g);
            }
            r
        })
        .collect()
}

fn objective(r: &[Vec<f64>], q: f64) -> f64 {
    r.iter().map(|r| r.iter().map(|x| x.max(0.0).powf(q)).sum::<f64>().powf(1.0 / q)).sum::<f64>() / r.len().max(1) as f64
}

/// ∂J/∂U (one column per basis vector).
fn gradient(s: &LayerSamples, u: &[Vec<f64>], r: &[Vec<f64>], o: &DrsaOptions) -> Vec<Vec<f64>> {
    let mut g = vec![vec![0.0; s.dim]; u.len()];
    
    for (n, rn) in r.iter().enumerate() {
        let pooled: f64 = rn.iter().map(|x| x.max(0.0).powf(o.q)).sum();
        if pooled <= 0.0 {
            continue;
        }
        let w: Vec<f64> = rn.iter().map(|x| x.max(0.0).powf(o.q - 1.0) * pooled.powf(1.0 / o.q - 1.0) / r.len() as f64).collect();
        for (a, c) in s.points(n) {
            let (h, gc) = (project(u, a), project(u, c));
            // ∂(hᵢ·gᵢ)/∂uᵢ = a·gᵢ + c·hᵢ.
            for (i, col) in g.iter_mut().enumerate() {
                let wi = w[i / o.size];
                if wi != 0.0 {
                    col.iter_mut().zip(a.iter().zip(c)).for_each(|(x, (a, c))| *x += wi * (a * gc[i] + c * h[i]));
                }
            }
        }
    }
    g
}

/// G − U·sym(UᵀG): the gradient's component tangent to the manifold of orthonormal bases.
fn tangent(u: &[Vec<f64>], g: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let m = u.len();
    let sym: Vec<Vec<f64>> = (0..m).map(|i| (0..m).map(|j| 0.5 * (dot(&u[i], &g[j]) + dot(&g[i], &u[j]))).collect()).collect();
    g.iter()
        .enumerate()
        .map(|(j, gj)| {
            let mut t = gj.clone();
            for (i, ui) in u.iter().enumerate() {
                t.iter_mut().zip(ui).for_each(|(t, ui)| *t -= ui * sym[i][j]);
            }
            t
        })
        .collect()
}

/// The K concept bases, the concept with the most relevance over the samples first.
pub async fn drsa(s: &LayerSamples, o: &DrsaOptions, progress: Option<&dyn Progress>) -> Result<Vec<Basis>, String> {
    let m = o.concepts * o.size;
    if o.concepts == 0 || o.size == 0 {
        return Err("concepts: need at least one concept of at least one dimension".into());
    }
    if m > s.dim {
        return Err(format!("concepts: {} concepts × {} dimensions exceed the layer's {} channels", o.concepts, o.size, s.dim));
    }
    if !(o.q >= 1.0 && o.q.is_finite()) {
        return Err(format!("concepts: the pooling exponent must be a finite number ≥ 1, not {}", o.q));
    }
    let rng = Rng::new(o.seed, Stream::Explain).child(0xd25a);
    let mut u: Vec<Vec<f64>> = (0..m).map(|j| (0..s.dim).map(|i| rng.normal((j * s.dim + i) as u32)).collect()).collect();
    orthonormalise(&mut u);
    let mut r = concept_relevance(s, &u, o.size);
    let mut j = objective(&r, o.q);
    let mut step = 0.5;
    for it in 0..o.iterations {
        let t = tangent(&u, &gradient(s, &u, &r, o));
        let norm = t.iter().map(|c| dot(c, c)).sum::<f64>().sqrt();
        if norm <= 1e-14 * (1.0 + j.abs()) {
            break;
        }
        // The largest step (by halving) that raises J; none: a stationary point.
        let mut moved = false;
        while step > 1e-8 {
            let mut next: Vec<Vec<f64>> = u.iter().zip(&t).map(|(u, t)| u.iter().zip(t).map(|(u, t)| u + step * t / norm).collect()).collect();
            orthonormalise(&mut next);
            let rn = concept_relevance(s, &next, o.size);
            let jn = objective(&rn, o.q);
            if jn > j {
                (u, r, j, moved) = (next, rn, jn, true);
                step = (step * 1.5).min(1.0);
                break;
            }
            step *= 0.5;
        }
        if let Some(p) = progress {
            if !p.report(it + 1, o.iterations).await {
                return Err(CANCELLED.into());
            }
        }
        if !moved {
            break;
        }
    }
    let mut bases: Vec<Basis> = u.chunks(o.size).map(<[Vec<f64>]>::to_vec).collect();
    let mass: Vec<f64> = (0..o.concepts).map(|k| r.iter().map(|rn| rn[k]).sum()).collect();
    let mut order: Vec<usize> = (0..o.concepts).collect();
    order.sort_by(|&a, &b| mass[b].total_cmp(&mass[a]).then(a.cmp(&b)));
    bases = order.iter().map(|&k| std::mem::take(&mut bases[k])).collect();
    Ok(bases)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::explain::testing::*;

    fn options(concepts: usize, size: usize, seed: u32) -> DrsaOptions {
        DrsaOptions { concepts, size, q: 2.0, iterations: 300, seed }
    }

    fn assert_orthonormal(bases: &[Basis]) {
        let all: Vec<&Vec<f64>> = bases.iter().flatten().collect();
        for (i, u) in all.iter().enumerate() {
            for (j, w) in all.iter().enumerate() {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot(u, w) - want).abs() < 1e-9, "⟨u{i}, u{j}⟩ = {}", dot(u, w));
            }
        }
    }

    /// Half the samples are relevant along e₁ only, half along e₂ only (the other
    /// channels carry large irrelevant activations, in ± pairs): two 1-d concepts find e₁ and e₂, one
    /// each, and each sample's relevance falls in one concept.
    #[test]
    fn drsa_separates_two_known_relevant_directions() {
        let dim = 5;
        let axis = |i: usize, x: f64| (0..dim).map(|j| if j == i { x } else { 0.0 }).collect::<Vec<f64>>();
        let samples: Vec<Vec<(Vec<f64>, Vec<f64>)>> = (0..12)
            .map(|n| {
                let (k, t) = (n % 2, 0.5 + 0.1 * n as f64);
                // Paired ±noise, so no tilt towards a noise axis gains relevance.
                [4.0, -4.0]
                    .iter()
                    .map(|noise| {
                        let mut a = axis(k, t);
                        a[2 + n % 3] = *noise;
                        (a, axis(k, t))
                    })
                    .collect()
            })
            .collect();
        let s = by_hand(dim, &samples);
        let bases = drsa(&s, &options(2, 1, 3), None).await_now().unwrap();
        assert_orthonormal(&bases);
        let found: Vec<(usize, f64)> = bases.iter().map(|b| (0..dim).map(|i| (i, b[0][i].abs())).max_by(|x, y| x.1.total_cmp(&y.1)).unwrap()).collect();
        println!("DRSA directions: {bases:?}");
        let mut axes: Vec<usize> = found.iter().map(|f| f.0).collect();
        axes.sort();
        assert_eq!(axes, [0, 1], "one concept per relevant axis");
        assert!(found.iter().all(|f| f.1 > 0.999), "{found:?}");
        for n in 0..s.len() {
            let r: Vec<f64> = bases.iter().map(|b| crate::explain::subspace::relevance_in(&s, n, b)).collect();
            assert!(r.iter().filter(|x| x.abs() > 1e-6).count() == 1, "sample {n} is explained by one concept: {r:?}");
        }
    }

    /// On a CNN layer: orthonormal concepts, a higher objective than the start, the
    /// same answer from the same seed, and a different start from another seed.
    #[test]
    fn drsa_bases_are_orthonormal_and_deterministic() {
        let be = Be::new();
        let net = cnn();
        let probe = crate::explain::Probe::new(&be, &net);
        let (x, seeds) = explained(&probe, 30, 5);
        let s = crate::explain::subspace::collect(&probe, &x, &seeds, &composite(), 1).await_now().unwrap();
        let o = options(3, 2, 7);
        let a = drsa(&s, &o, None).await_now().unwrap();
        assert_eq!((a.len(), a[0].len()), (3, 2));
        assert_orthonormal(&a);
        assert_eq!(a, drsa(&s, &o, None).await_now().unwrap(), "deterministic given the seed");
        let flat: Vec<Vec<f64>> = a.iter().flatten().cloned().collect();
        let start = drsa(&s, &DrsaOptions { iterations: 0, ..o.clone() }, None).await_now().unwrap();
        let flat0: Vec<Vec<f64>> = start.iter().flatten().cloned().collect();
        let (j, j0) = (objective(&concept_relevance(&s, &flat, 2), 2.0), objective(&concept_relevance(&s, &flat0, 2), 2.0));
        println!("DRSA objective: {j0:.4} at the start, {j:.4} after");
        assert!(j > j0, "the ascent raised J: {j0} → {j}");
        assert_ne!(start, drsa(&s, &DrsaOptions { iterations: 0, seed: 8, ..o.clone() }, None).await_now().unwrap());
    }

    #[test]
    fn drsa_refuses_impossible_shapes_with_a_message() {
        let s = by_hand(3, &[vec![(vec![1.0, 0.0, 0.0], vec![1.0, 0.0, 0.0])]]);
        let err = |o| drsa(&s, &o, None).await_now().unwrap_err();
        assert!(err(options(2, 2, 1)).contains("exceed the layer's 3 channels"));
        assert!(err(options(0, 1, 1)).contains("at least one concept"));
        assert!(err(DrsaOptions { q: f64::NAN, ..options(1, 1, 1) }).contains("pooling exponent"));
    }
}
