//! Integration rules on [0, 1] for Integrated Gradients, as Captum defines them
//! (`captum.attr._utils.approximation_methods`): `steps` points α_k with weights w_k so
//! that ∫₀¹ f ≈ Σ_k w_k f(α_k).
//!
//! Captum's `riemann_trapezoid` puts n evenly spaced points on [0, 1] but weights them
//! 1/n (halved at the ends), so its weights sum to (n − 1)/n and the integral is scaled
//! down by that factor: `Trapezoid` is the trapezoid rule proper (weights 1/(n − 1)),
//! and `RiemannTrapezoid` reproduces Captum's for comparison.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quadrature {
    /// α_k = k/n.
    Left,
    /// α_k = (k + 1)/n.
    Right,
    /// α_k = (k + ½)/n.
    Middle,
    /// n evenly spaced points from 0 to 1, weights 1/(n − 1) halved at the end points.
    Trapezoid,
    /// Captum's `riemann_trapezoid`: the trapezoid's points with weights 1/n halved at
    /// the end points (they sum to (n − 1)/n).
    RiemannTrapezoid,
    /// Gauss–Legendre nodes mapped to [0, 1] (Captum's default): exact for polynomials
    /// of degree below 2n.
    GaussLegendre,
}

impl Quadrature {
    pub fn parse(name: &str) -> Result<Quadrature, String> {
        Ok(match name {
            "left" => Quadrature::Left,
            "right" => Quadrature::Right,
            "middle" => Quadrature::Middle,
            "trapezoid" => Quadrature::Trapezoid,
            "riemannTrapezoid" => Quadrature::RiemannTrapezoid,
            "gaussLegendre" => Quadrature::GaussLegendre,
            _ => return Err(format!("rule: \"{name}\" is not left, right, middle, trapezoid, riemannTrapezoid or gaussLegendre")),
        })
    }

    /// The points and weights of `steps` evaluations (trapezoid needs at least 2).
    pub fn points(self, steps: usize) -> Result<(Vec<f64>, Vec<f64>), String> {
        let n = steps as f64;
        let two_ends = matches!(self, Quadrature::Trapezoid | Quadrature::RiemannTrapezoid);
        if steps == 0 || (two_ends && steps < 2) {
            return Err(format!("steps: {steps} is too few for the {self:?} rule"));
        }
        let even = |offset: f64| ((0..steps).map(|k| (k as f64 + offset) / n).collect(), vec![1.0 / n; steps]);
        Ok(match self {
            Quadrature::Left => even(0.0),
            Quadrature::Right => even(1.0),
            Quadrature::Middle => even(0.5),
            Quadrature::Trapezoid | Quadrature::RiemannTrapezoid => {
                let h = 1.0 / (n - 1.0);
                let weight = if self == Quadrature::Trapezoid { h } else { 1.0 / n };
                let mut w = vec![weight; steps];
                w[0] = weight / 2.0;
                w[steps - 1] = weight / 2.0;
                ((0..steps).map(|k| k as f64 * h).collect(), w)
            }
            Quadrature::GaussLegendre => {
                let (x, w) = gauss_legendre(steps);
                (x.iter().map(|x| 0.5 * (1.0 + x)).collect(), w.iter().map(|w| 0.5 * w).collect())
            }
        })
    }
}

/// Nodes (ascending) and weights of n-point Gauss–Legendre on [−1, 1], by Newton's
/// method on the Legendre polynomial P_n.
fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    for i in 0..n {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            // P_n(x) and P_n'(x) by the three-term recurrence.
            let (mut p0, mut p1) = (1.0, x);
            for k in 2..=n {
                let k = k as f64;
                (p0, p1) = (p1, ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k);
            }
            dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
            let dx = p1 / dp;
            x -= dx;
            if dx.abs() < 1e-15 {
                break;
            }
        }
        nodes[n - 1 - i] = x;
        weights[n - 1 - i] = 2.0 / ((1.0 - x * x) * dp * dp);
    }
    (nodes, weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integrate(rule: Quadrature, steps: usize, f: impl Fn(f64) -> f64) -> f64 {
        let (a, w) = rule.points(steps).unwrap();
        a.iter().zip(&w).map(|(a, w)| w * f(*a)).sum()
    }

    #[test]
    fn rules_integrate_with_their_orders_of_accuracy() {
        // Weights sum to 1 for every rule; Gauss–Legendre is exact for degree 2n − 1.
        for rule in [Quadrature::Left, Quadrature::Right, Quadrature::Middle, Quadrature::Trapezoid, Quadrature::GaussLegendre] {
            assert!((integrate(rule, 7, |_| 1.0) - 1.0).abs() < 1e-13, "{rule:?}");
        }
        assert!((integrate(Quadrature::GaussLegendre, 4, |a| a.powi(7)) - 1.0 / 8.0).abs() < 1e-14);
        assert!((integrate(Quadrature::GaussLegendre, 1, |a| a) - 0.5).abs() < 1e-15);
        let (x, _) = Quadrature::GaussLegendre.points(3).unwrap();
        let want = [0.5 - 0.5 * 0.6f64.sqrt(), 0.5, 0.5 + 0.5 * 0.6f64.sqrt()];
        assert!(x.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-14), "{x:?}");
        // Left and right Riemann are first order, middle and trapezoid second.
        let err = |rule, n| (integrate(rule, n, f64::exp) - (1f64.exp() - 1.0)).abs();
        for rule in [Quadrature::Left, Quadrature::Right] {
            assert!((err(rule, 40) / err(rule, 80) - 2.0).abs() < 0.1, "{rule:?}");
        }
        assert!((err(Quadrature::Middle, 40) / err(Quadrature::Middle, 80) - 4.0).abs() < 0.1);
        assert!((err(Quadrature::Trapezoid, 41) / err(Quadrature::Trapezoid, 81) - 4.0).abs() < 0.1);
        assert!(Quadrature::Trapezoid.points(1).is_err() && Quadrature::Left.points(0).is_err());
        // Captum's riemann_trapezoid: the trapezoid's points, weights scaled by (n − 1)/n.
        let (a, w) = Quadrature::RiemannTrapezoid.points(5).unwrap();
        assert_eq!((a, w), (vec![0.0, 0.25, 0.5, 0.75, 1.0], vec![0.1, 0.2, 0.2, 0.2, 0.1]));
        assert!(Quadrature::parse("simpson").unwrap_err().contains("simpson"));
    }
}
