//! Progress reporting for long parses: a callback that sees the fraction done rise
//! monotonically to 1, in steps of about [`STEP`], with phases mapped to sub-ranges.

/// The largest rise between two reports while work is going on.
pub const STEP: f32 = 0.01;

/// Wraps the caller's callback; a parse phase reports its own fraction in [0, 1] and
/// the current window maps it into the overall range.
pub struct Progress<'a> {
    report: &'a mut dyn FnMut(f32),
    outer: (f32, f32),
    window: (f32, f32),
    last: f32,
}

impl<'a> Progress<'a> {
    pub fn new(report: &'a mut dyn FnMut(f32)) -> Self {
        Progress { report, outer: (0.0, 1.0), window: (0.0, 1.0), last: 0.0 }
    }

    /// Maps the coming phase's fractions to `[from, to]` of the whole.
    pub fn window(&mut self, from: f32, to: f32) {
        self.outer = (from, to);
        self.window = (from, to);
    }

    /// Within the current window, maps the coming step's fractions to its `[from, to]`.
    pub fn phase(&mut self, from: f32, to: f32) {
        let (a, b) = self.outer;
        self.window = (a + (b - a) * from, a + (b - a) * to);
    }

    /// The current phase is `fraction` done; reported when it moved by at least STEP.
    pub fn at(&mut self, fraction: f32) {
        let (from, to) = self.window;
        let overall = from + (to - from) * fraction.clamp(0.0, 1.0);
        if overall >= self.last + STEP {
            self.last = overall;
            (self.report)(overall);
        }
    }

    /// Reports `i` of `n` items done, for loops (n = 0 counts as done).
    pub fn items(&mut self, i: usize, n: usize) {
        self.at(if n == 0 { 1.0 } else { i as f32 / n as f32 });
    }

    /// Reports completion.
    pub fn finish(&mut self) {
        self.last = 1.0;
        (self.report)(1.0);
    }
}
