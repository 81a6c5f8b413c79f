//! Surviving a GPU fault: a session on a lost (or erroring) device reports the fault
//! instead of results, and hands over to a CPU session resuming from the last weights
//! synced to the host.

use super::{Engine, Session};
use crate::spec::{EmbeddedWeights, ExperimentSpec};

impl Session {
    /// The fault the GPU device reported (lost, out of memory, validation error); None on
    /// the CPU or while the device is healthy. After one, this session's numbers are
    /// meaningless: continue with `continue_on_cpu`.
    pub fn gpu_fault(&self) -> Option<String> {
        match &self.engine {
            Engine::Cpu(_) => None,
            Engine::Gpu(t) => t.be.fault(),
        }
    }

    /// Destroys the GPU device, as a driver reset would (the automation API's test hook).
    /// Errs on the CPU backend.
    pub fn lose_device(&self) -> Result<(), String> {
        match &self.engine {
            Engine::Cpu(_) => Err("This run is on the CPU: there is no GPU device to lose.".into()),
            Engine::Gpu(t) => {
                t.be.destroy_device();
                Ok(())
            }
        }
    }

    /// A CPU session of the same experiment at the last synced weights and their step
    /// (edits after that step replay as training passes them again). Errs when no
    /// weights were synced.
    pub fn continue_on_cpu(&self) -> Result<Session, String> {
        let Some(snapshot) = self.snapshot.clone() else {
            return Err("No weights were synced before the GPU fault; reset to start again.".into());
        };
        let spec = ExperimentSpec { weights: Some(EmbeddedWeights::encode(snapshot.step, &snapshot.state)), ..self.spec.clone() };
        let mut next = Session::on_cpu_with(spec, self.data.clone()).map_err(|e| e.0)?;
        next.spec.weights = self.spec.weights.clone();
        next.snapshot = Some(snapshot);
        Ok(next)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::backend::gpu::GpuBackend;
    use crate::backend::BackendKind;

    fn gpu_session() -> Session {
        let gpu = pollster::block_on(GpuBackend::new()).expect("a GPU adapter (lavapipe in CI)");
        Session::on_gpu(ExperimentSpec::default(), gpu).unwrap()
    }

    #[test]
    fn a_destroyed_device_is_reported_not_panicked_on() {
        let mut s = gpu_session();
        s.train_steps(20);
        assert!(pollster::block_on(s.metrics()).train_loss.is_finite());
        assert_eq!(s.gpu_fault(), None);
        s.lose_device().unwrap();
        // Work after the loss neither panics nor hangs, and the fault is reported.
        s.train_steps(5);
        let m = pollster::block_on(s.metrics());
        let fault = s.gpu_fault().expect("the loss is reported");
        assert!(fault.contains("lost") || fault.contains("failed"), "{fault}");
        // A meaningless read is not taken for a divergence.
        assert_eq!(m.divergence, None);
    }

    #[test]
    fn the_cpu_continues_from_the_last_synced_weights() {
        let mut s = gpu_session();
        s.train_steps(30);
        let synced = pollster::block_on(s.sync_weights()).unwrap().clone();
        s.train_steps(7);
        s.lose_device().unwrap();
        s.train_steps(3);
        // The snapshot is not overwritten by reads from the lost device.
        assert_eq!(pollster::block_on(s.sync_weights()).unwrap(), &synced);
        let mut cpu = s.continue_on_cpu().unwrap();
        assert_eq!(cpu.backend_info().kind, BackendKind::Cpu);
        assert_eq!(cpu.step(), synced.step);
        // Syncing the new session copies its weights now: those synced on the GPU.
        assert_eq!(pollster::block_on(cpu.sync_weights()).unwrap().state, synced.state);
        cpu.train_steps(10);
        let m = pollster::block_on(cpu.metrics());
        assert_eq!(m.step, synced.step + 10);
        assert!(m.train_loss.is_finite());
        assert_eq!(cpu.spec(), s.spec());
    }

    #[test]
    fn the_cpu_has_no_device_to_lose() {
        let s = Session::new(ExperimentSpec::default()).unwrap();
        assert!(s.lose_device().is_err());
        assert_eq!(s.gpu_fault(), None);
    }
}
