//! Live edits and their replay. Every change made while a run trains (training options,
//! a weight, a bias) is recorded in the spec's `events` at the current step, and training
//! stops at each recorded step to apply it, so the link replays the run bit for bit on
//! the CPU backend.
//!
//! The spec's `training` always holds the options now in force (what a page shows and
//! edits). When they change after the run started, a training event at step 0 (the
//! base) turns them back into the options the run started with, and a second event
//! at the current step turns those into the new ones.

use super::{Engine, Session};
use crate::spec::events::{apply_training_patch, training_patch, Change};
use crate::spec::{BiasEdit, EmbeddedWeights, Event, ExperimentSpec, SpecError, TrainingSpec, WeightEdit};
use crate::nn::layers::Layer;

/// What `Session::apply` did with a changed spec.
#[derive(Debug, PartialEq)]
pub enum Applied {
    /// Only training options changed: they apply from the current step.
    Live,
    /// Data, model, seed or backend changed: a fresh run of this spec must be built.
    Rebuild(Box<ExperimentSpec>),
}

impl Session {
    /// Applies the events up to `start` (the first step the run trains from): weight and
    /// bias edits unless the spec carries trained weights (which hold them), then
    /// loads those weights. Training events are already in the options the trainer was
    /// built with.
    pub(super) fn start_at(&mut self, start: u64) -> Result<(), SpecError> {
        if let Some(w) = &self.spec.weights {
            let state = w.decode().map_err(SpecError)?;
            with_trainer!(&mut self.engine, t => t.resume_at(&state, start)).map_err(|e| SpecError(format!("weights: {e}")))?;
        }
        let embedded = self.spec.weights.is_some();
        while let Some(e) = self.spec.events.get(self.next_event).filter(|e| e.step <= start).cloned() {
            if e.training.is_none() && !embedded {
                self.apply_event(&e);
            }
            self.next_event += 1;
        }
        Ok(())
    }

    /// Runs `n` optimiser steps, stopping at every event's step to apply it.
    pub fn train_steps(&mut self, n: u64) {
        let target = self.step() + n;
        loop {
            let step = self.step();
            if step >= target {
                break;
            }
            let until = self.spec.events.get(self.next_event).map_or(target, |e| e.step.clamp(step + 1, target));
            with_trainer!(&mut self.engine, t => t.train_steps(until - step));
            self.apply_due_events();
        }
    }

    fn apply_due_events(&mut self) {
        let step = self.step();
        while let Some(e) = self.spec.events.get(self.next_event).filter(|e| e.step <= step).cloned() {
            self.apply_event(&e);
            self.next_event += 1;
        }
    }

    /// The first parameter index and the input width of dense weight layer `layer`.
    fn dense_layer(&self, layer: u32) -> Option<(usize, usize)> {
        let mut dense = Vec::new();
        with_trainer!(&self.engine, t => t.model.visit_nodes(&mut |n| {
            if matches!(n.layer, Layer::Dense(_)) {
                dense.push((n.first_param, n.input.len()));
            }
        }));
        dense.get(layer as usize).copied()
    }

    /// Applies one event of a validated spec.
    fn apply_event(&mut self, event: &Event) {
        let done = match event.change() {
            Ok(Change::Training(patch)) => apply_training_patch(&self.training, patch).map(|t| {
                with_trainer!(&mut self.engine, tr => tr.set_training(&t, &self.data)).expect("a validated guidance finds its masks");
                self.training = t;
            }),
            Ok(Change::Weight(w)) => self.set_entry(w.layer, 0, w.to as usize, w.from as usize, w.value),
            Ok(Change::Bias(b)) => self.set_entry(b.layer, 1, 0, b.unit as usize, b.value),
            Err(e) => Err(e),
        };
        done.expect("the events of a validated spec apply");
    }

    /// Sets [row, col] of the weight (`which` 0) or bias (1) of dense layer `layer`.
    fn set_entry(&mut self, layer: u32, which: usize, row: usize, col: usize, value: f32) -> Result<(), String> {
        let (first, inputs) = self.dense_layer(layer).ok_or_else(|| format!("there is no dense layer {layer}"))?;
        let index = if which == 0 { row * inputs + col } else { col };
        with_trainer!(&mut self.engine, t => t.set_parameter_entry(first + which, index, value))
    }

    /// Records `event` (at the current step, after the events already applied) and
    /// applies it; a spec that would not validate is refused and nothing changes.
    fn record(&mut self, event: Event) -> Result<(), SpecError> {
        let mut spec = self.spec.clone();
        spec.events.insert(self.next_event, event.clone());
        spec.validate()?;
        self.spec = spec;
        self.apply_event(&event);
        self.next_event += 1;
        Ok(())
    }

    /// Sets one weight now (input `from` → unit `to` of dense layer `layer`), recorded as an event.
    pub fn set_weight(&mut self, edit: WeightEdit) -> Result<(), SpecError> {
        self.record(Event::weight(self.step(), edit))
    }

    /// Sets one bias now, recorded as an event.
    pub fn set_bias(&mut self, edit: BiasEdit) -> Result<(), SpecError> {
        self.record(Event::bias(self.step(), edit))
    }

    /// Replaces the training options from the current step on (optimiser, learning rate,
    /// schedule, batch size, penalties, clipping, loss). Weights are kept, and the
    /// optimiser state too unless its kind changes. Before the first step of a fresh
    /// run this just changes the spec; later it is recorded as events (see the module
    /// comment). A refused spec changes nothing.
    pub fn set_training(&mut self, training: TrainingSpec) -> Result<(), SpecError> {
        let now = training_patch(&self.training, &training);
        if now.is_empty() {
            return Ok(());
        }
        let step = self.step();
        let mut spec = ExperimentSpec { training: training.clone(), ..self.spec.clone() };
        let mut next_event = self.next_event;
        if step > 0 || !self.spec.events.is_empty() || self.spec.weights.is_some() {
            let base = spec.events.first().filter(|e| e.step == 0).and_then(|e| e.training.as_ref());
            let start = match base {
                Some(patch) => apply_training_patch(&self.spec.training, patch).map_err(SpecError)?,
                None => self.spec.training.clone(),
            };
            if base.is_some() {
                spec.events.remove(0);
                next_event -= 1;
            }
            let base = training_patch(&training, &start);
            if !base.is_empty() {
                spec.events.insert(0, Event::training(0, base));
                next_event += 1;
            }
            spec.events.insert(next_event, Event::training(step, now));
            next_event += 1;
        }
        spec.validate()?;
        with_trainer!(&mut self.engine, t => t.set_training(&training, &self.data)).map_err(SpecError)?;
        self.training = training;
        self.spec = spec;
        self.next_event = next_event;
        Ok(())
    }

    /// Applies a changed spec while keeping the run when only training options differ
    /// (recorded as events). The caller's `events` and `weights` are ignored: the run's
    /// own are kept, and a rebuild starts a fresh run without them.
    pub fn apply(&mut self, next: ExperimentSpec) -> Result<Applied, SpecError> {
        let next = ExperimentSpec { events: Vec::new(), weights: None, ..next };
        next.validate()?;
        let s = &self.spec;
        if next.dataset != s.dataset || next.model != s.model || next.backend != s.backend || next.training.seed != self.training.seed {
            return Ok(Applied::Rebuild(Box::new(next)));
        }
        self.set_training(next.training)?;
        Ok(Applied::Live)
    }

    /// The spec a reset starts from: the options now in force, no events, no weights
    /// (so the same initial weights as this run, unless the seed changed).
    pub fn restart_spec(&self) -> ExperimentSpec {
        ExperimentSpec { training: self.training.clone(), events: Vec::new(), weights: None, ..self.spec.clone() }
    }

    /// The spec with the current weights embedded: it opens this network at this step.
    pub async fn spec_with_weights(&self) -> ExperimentSpec {
        let step = self.step();
        let state = with_trainer!(&self.engine, t => t.state().await);
        ExperimentSpec { weights: Some(EmbeddedWeights::encode(step, &state)), ..self.spec.clone() }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::Optimizer;

    fn losses(s: &mut Session) -> Vec<f32> {
        pollster::block_on(s.metrics());
        s.history_since(0).iter().map(|r| r.train_loss).collect()
    }

    /// A run edited while it trains (learning rate at step 37, optimiser at 60, a weight
    /// at 50, a bias at 75) and its spec replayed from scratch: the same parameters and
    /// losses, bit for bit.
    #[test]
    fn a_run_with_mid_run_edits_replays_bit_for_bit_from_its_spec() {
        let mut live = Session::new(ExperimentSpec::default()).unwrap();
        live.train_steps(37);
        let mut t = live.training().clone();
        t.learning_rate = 0.1;
        live.set_training(t).unwrap();
        live.train_steps(13);
        live.set_weight(WeightEdit { layer: 1, from: 2, to: 3, value: 1.5 }).unwrap();
        live.train_steps(10);
        let mut t = live.training().clone();
        t.optimizer = Optimizer::Adam;
        t.learning_rate = 0.01;
        let mut spec = live.spec().clone();
        spec.training = t;
        assert_eq!(live.apply(spec).unwrap(), Applied::Live);
        live.train_steps(15);
        live.set_bias(BiasEdit { layer: 2, unit: 0, value: -0.5 }).unwrap();
        live.train_steps(25 * 4);

        let spec = live.spec().clone();
        assert_eq!(spec.training.optimizer, Optimizer::Adam, "the spec shows the options in force");
        let steps: Vec<u64> = spec.events.iter().map(|e| e.step).collect();
        assert_eq!(steps, vec![0, 37, 50, 60, 75]);
        let link = crate::spec::link::encode(&spec);
        let mut replay = Session::new(crate::spec::link::decode(&link).unwrap().spec).unwrap();
        assert_eq!(replay.training().learning_rate, 0.03, "the replay starts with the first options");
        replay.train_steps(175);
        assert_eq!(pollster::block_on(replay.parameters()), pollster::block_on(live.parameters()));
        assert_eq!(losses(&mut replay), losses(&mut live));
        assert_eq!(replay.training(), live.training());

        // Against a run without the weight edit, the trajectories differ.
        let mut unedited = spec.clone();
        unedited.events.retain(|e| e.weight.is_none());
        let mut other = Session::new(unedited).unwrap();
        other.train_steps(175);
        assert_ne!(losses(&mut other), losses(&mut live));
    }

    #[test]
    fn changes_before_the_first_step_just_change_the_spec_and_bad_edits_change_nothing() {
        let mut s = Session::new(ExperimentSpec::default()).unwrap();
        let mut t = s.training().clone();
        t.batch_size = 25;
        s.set_training(t).unwrap();
        assert!(s.spec().events.is_empty());
        assert_eq!(s.spec().training.batch_size, 25);
        assert_eq!(s.steps_per_epoch(), 10);
        let before = s.spec().clone();
        let e = s.set_weight(WeightEdit { layer: 0, from: 5, to: 0, value: 1.0 }).unwrap_err();
        assert!(e.0.contains("from must be below"), "{e}");
        let mut bad = s.spec().clone();
        bad.training.learning_rate = -1.0;
        assert!(s.apply(bad).is_err());
        assert_eq!(s.spec(), &before);
        let mut wider = s.spec().clone();
        wider.model.hidden = vec![8, 8, 8];
        match s.apply(wider).unwrap() {
            Applied::Rebuild(spec) => assert_eq!(spec.model.hidden, vec![8, 8, 8]),
            Applied::Live => panic!("a model change rebuilds"),
        }
        assert_eq!(s.spec(), &before, "a rebuild is the caller's");
    }

    /// A link with the trained weights opens the same network: the same predictions, at
    /// the same step, with the options then in force.
    #[test]
    fn embedded_weights_reproduce_the_predictions() {
        let mut s = Session::new(ExperimentSpec::default()).unwrap();
        s.train_steps(60);
        let mut t = s.training().clone();
        t.learning_rate = 0.2;
        s.set_training(t).unwrap();
        s.train_steps(40);
        let spec = pollster::block_on(s.spec_with_weights());
        let link = crate::spec::link::encode(&spec);
        let opened = Session::new(crate::spec::link::decode(&link).unwrap().spec).unwrap();
        assert_eq!(opened.step(), 100);
        assert_eq!(opened.training().learning_rate, 0.2);
        assert_eq!(pollster::block_on(opened.decision_grid(16)), pollster::block_on(s.decision_grid(16)));
        assert_eq!(pollster::block_on(opened.parameters()), pollster::block_on(s.parameters()));
        let mut short = spec.clone();
        short.weights = Some(EmbeddedWeights::encode(3, &[1.0; 5]));
        let e = Session::new(short).err().unwrap();
        assert!(e.0.starts_with("weights:"), "{e}");
    }
}
