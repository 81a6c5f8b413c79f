//! The native runner: trains a spec (a JSON file or a share link) headless on the CPU or
//! any wgpu adapter, prints progress and final metrics, and can write the trained model.
//!
//!     glassbox train <spec.json | link> [--backend cpu|gpu] [--epochs N] [--out model.json]

use glassbox::backend::gpu::GpuBackend;
use glassbox::session::{Metrics, Session};
use glassbox::spec::{link, ExperimentSpec};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: glassbox train <spec.json | link> [--backend cpu|gpu] [--epochs N] [--out model.json]";
const DEFAULT_EPOCHS: u64 = 500;
const MAX_EPOCHS: u64 = 10_000_000;

struct Args {
    source: String,
    gpu: bool,
    epochs: u64,
    out: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    if args.next().as_deref() != Some("train") {
        return Err(USAGE.into());
    }
    let source = args.next().ok_or(USAGE)?;
    let mut parsed = Args { source, gpu: false, epochs: DEFAULT_EPOCHS, out: None };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--backend" => {
                parsed.gpu = match value.as_str() {
                    "cpu" => false,
                    "gpu" => true,
                    _ => return Err(format!("--backend must be cpu or gpu, not {value}")),
                }
            }
            "--epochs" => {
                parsed.epochs = value
                    .parse()
                    .ok()
                    .filter(|e| (1..=MAX_EPOCHS).contains(e))
                    .ok_or_else(|| format!("--epochs must be a whole number from 1 to {MAX_EPOCHS}"))?
            }
            "--out" => parsed.out = Some(value),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(parsed)
}

/// A spec from a JSON file, a file holding a link, or a link given directly.
fn load_spec(source: &str) -> Result<ExperimentSpec, String> {
    let text = match std::fs::read_to_string(source) {
        Ok(text) => text,
        Err(_) if source.contains("v=") => source.to_string(),
        Err(e) => return Err(format!("cannot read {source}: {e}")),
    };
    let text = text.trim();
    if text.starts_with('{') {
        let spec: ExperimentSpec = serde_json::from_str(text).map_err(|e| format!("{source}: not a valid spec: {e}"))?;
        spec.validate().map_err(|e| format!("{source}: {e}"))?;
        return Ok(spec);
    }
    let fragment = text.split_once('#').map_or(text, |(_, f)| f);
    let decoded = link::decode(fragment).map_err(|e| e.0)?;
    if let Some(w) = decoded.warning {
        eprintln!("note: {w}");
    }
    Ok(decoded.spec)
}

fn report(m: &Metrics, total: u64, epochs_per_sec: f64) {
    println!(
        "epoch {:>7}/{total}  train loss {:.4}  test loss {:.4}  train acc {:5.1}%  test acc {:5.1}%  ({epochs_per_sec:.0} epochs/s)",
        m.epoch,
        m.train_loss,
        m.test_loss,
        100.0 * m.train_acc,
        100.0 * m.test_acc
    );
}

async fn run(args: Args) -> Result<(), String> {
    let spec = load_spec(&args.source)?;
    let mut session = if args.gpu {
        let gpu = GpuBackend::new().await.map_err(|e| e.0)?;
        Session::on_gpu(spec, gpu).map_err(|e| e.0)?
    } else {
        Session::new(spec).map_err(|e| e.0)?
    };
    let info = session.backend_info();
    println!("training on {:?} ({}) for {} epochs", info.kind, info.adapter, args.epochs);
    let spe = session.steps_per_epoch();
    let chunk = (args.epochs / 10).max(1);
    let start = Instant::now();
    let mut done = 0;
    while done < args.epochs {
        let n = chunk.min(args.epochs - done);
        session.train_steps(n * spe);
        done += n;
        let m = session.metrics().await;
        report(&m, args.epochs, done as f64 / start.elapsed().as_secs_f64());
    }
    let m = session.metrics().await;
    println!(
        "final: train loss {:.4}, test loss {:.4}, train accuracy {:.1}%, test accuracy {:.1}%",
        m.train_loss,
        m.test_loss,
        100.0 * m.train_acc,
        100.0 * m.test_acc
    );
    if let Some(out) = args.out {
        std::fs::write(&out, session.model_json().await).map_err(|e| format!("cannot write {out}: {e}"))?;
        println!("model written to {out}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|args| pollster::block_on(run(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
