//! The native runner: trains a spec (a JSON file or a share link) headless on the CPU or
//! any wgpu adapter, prints progress and final metrics, and can write the trained model;
//! `explain` writes attribution maps of a saved model's inputs (see `glassbox::explain::request`
//! for the file formats); `bench` times the benchmark workloads (matmul GFLOP/s, W2/W3/W4
//! ms/step) on both backends (`bench w1`: only W1's training step and 100×100 grid on the CPU); `lab` runs a lab (`glassbox::lab`) on the CPU, prints its
//! verdict line and writes its report and one CSV per figure.
//!
//!     glassbox train <spec.json | link> [--backend cpu|gpu] [--epochs N] [--out model.json]
//!     glassbox explain --model <model.json> --inputs <inputs.json> --method <name> [--param k=v ...] [--backend cpu|gpu] --out <attr.json>
//!     glassbox bench [w1]
//!     glassbox lab <name> [--small] [--out DIR]

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::gpu::GpuBackend;
use glassbox::backend::Backend;
use glassbox::bench::{IgBench, MatmulBench, NetBench, SaliencyBench, W1Grid, W1Steps, Workload, IG_STEPS};
use glassbox::explain::request::{explain, InputsFile, Request};
use glassbox::lab::{self, Scale};
use glassbox::nn::format::ModelFile;
use glassbox::nn::Net;
use glassbox::session::{Metrics, Session};
use glassbox::spec::{link, ExperimentSpec};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: glassbox train <spec.json | link> [--backend cpu|gpu] [--epochs N] [--out model.json]\n       glassbox explain --model <model.json> --inputs <inputs.json> --method <name> [--param k=v ...] [--backend cpu|gpu] --out <attr.json>\n       glassbox bench [w1]\n       glassbox lab <name> [--small] [--out DIR]";
const DEFAULT_EPOCHS: u64 = 500;
const MAX_EPOCHS: u64 = 10_000_000;

struct Args {
    source: String,
    gpu: bool,
    epochs: u64,
    out: Option<String>,
}

fn parse_backend(value: &str) -> Result<bool, String> {
    match value {
        "cpu" => Ok(false),
        "gpu" => Ok(true),
        _ => Err(format!("--backend must be cpu or gpu, not {value}")),
    }
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
            "--backend" => parsed.gpu = parse_backend(&value)?,
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

struct ExplainArgs {
    model: String,
    inputs: String,
    method: String,
    params: Vec<(String, String)>,
    gpu: bool,
    out: String,
}

fn parse_explain_args(mut args: impl Iterator<Item = String>) -> Result<ExplainArgs, String> {
    let (mut model, mut inputs, mut method, mut out, mut gpu, mut params) = (None, None, None, None, false, Vec::new());
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--model" => model = Some(value),
            "--inputs" => inputs = Some(value),
            "--method" => method = Some(value),
            "--out" => out = Some(value),
            "--backend" => gpu = parse_backend(&value)?,
            "--param" => {
                let (k, v) = value.split_once('=').ok_or_else(|| format!("--param takes key=value, not {value}"))?;
                params.push((k.to_string(), v.to_string()));
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    let need = |v: Option<String>, flag: &str| v.ok_or_else(|| format!("explain needs {flag}\n{USAGE}"));
    Ok(ExplainArgs {
        model: need(model, "--model")?,
        inputs: need(inputs, "--inputs")?,
        method: need(method, "--method")?,
        params,
        gpu,
        out: need(out, "--out")?,
    })
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

async fn explain_on<B: Backend>(be: &B, args: &ExplainArgs, model: &ModelFile, inputs_json: &str) -> Result<(), String> {
    let net = Net::from_file(be, model).map_err(|e| format!("{}: {e}", args.model))?;
    let inputs = InputsFile::parse(inputs_json, net.input.len()).map_err(|e| format!("{}: {e}", args.inputs))?;
    let request = Request::parse(&args.method, &args.params, &inputs)?;
    let start = Instant::now();
    let out = explain(be, &net, &inputs, &request).await?;
    println!("{} of {} inputs on {:?} in {:.1} ms", args.method, inputs.inputs.len(), be.kind(), start.elapsed().as_secs_f64() * 1e3);
    if let Some(gaps) = &out.completeness_gap {
        println!("largest completeness gap: {:.3e}", gaps.iter().fold(0.0f64, |m, g| m.max(g.abs())));
    }
    let json = serde_json::to_string(&out).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, json).map_err(|e| format!("cannot write {}: {e}", args.out))?;
    println!("attributions written to {}", args.out);
    Ok(())
}

async fn run_explain(args: ExplainArgs) -> Result<(), String> {
    let model = ModelFile::parse(&read(&args.model)?).map_err(|e| format!("{}: {e}", args.model))?;
    let inputs = read(&args.inputs)?;
    if args.gpu {
        let gpu = GpuBackend::new().await.map_err(|e| e.0)?;
        explain_on(&gpu, &args, &model, &inputs).await
    } else {
        explain_on(&CpuBackend::<f32>::new(), &args, &model, &inputs).await
    }
}

/// Median milliseconds per repetition over `samples` timings of `reps` repetitions.
fn time(w: &mut dyn Workload, reps: u32, samples: usize) -> f64 {
    pollster::block_on(w.run(reps));
    pollster::block_on(w.sync());
    let mut ms: Vec<f64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            pollster::block_on(w.run(reps));
            pollster::block_on(w.sync());
            start.elapsed().as_secs_f64() * 1e3 / reps as f64
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms[samples / 2]
}

/// Matmul GFLOP/s at 64², 256², 1024², then ms per step of W2 (784→256→256→10 relu,
/// Adam 1e-3, batch 128), W3 (the 28×28 CNN, Adam 1e-3, batch 64), W4 (saliency of
/// 64 images on the W3 network) and W5 (Integrated Gradients of one image on it). Each
/// workload owns a fresh backend from `open`.
fn bench_backend<B: Backend>(name: &str, open: impl Fn() -> B) {
    for (n, reps) in [(64, 200), (256, 20), (1024, 2)] {
        let mut w = MatmulBench::new(open(), n);
        let ms = time(&mut w, reps, 5);
        println!("{name:4} matmul {n:>4}²: {:8.2} GFLOP/s", w.flops() / ms / 1e6);
    }
    let mut w2 = NetBench::mlp(open(), &[784, 256, 256, 10], 128, 1e-3, 1);
    println!("{name:4} W2 step (784-256-256-10, batch 128, Adam): {:.3} ms", time(&mut w2, 10, 7));
    let mut w3 = NetBench::cnn(open(), 10, 64, 1e-3, 1);
    println!("{name:4} W3 step (CNN 28×28×1, batch 64, Adam): {:.3} ms", time(&mut w3, 5, 7));
    let mut w4 = pollster::block_on(SaliencyBench::new(open(), 10, 64, 1));
    println!("{name:4} W4 saliency (64 images, W3 net): {:.3} ms", time(&mut w4, 5, 7));
    let mut w5 = pollster::block_on(IgBench::new(open(), 10, 1));
    println!("{name:4} W5 Integrated Gradients ({IG_STEPS} steps, one image, W3 net): {:.3} ms", time(&mut w5, 5, 7));
}

/// W1 on the CPU: ms per training step of the default spec through a `Session` (one
/// weight sync per 250 steps, as the browser bench does), and ms per 100×100 grid.
fn bench_w1() -> Result<(), String> {
    let session = || Session::new(ExperimentSpec::default()).map_err(|e| e.0);
    let mut steps = W1Steps::new(session()?);
    println!("cpu  W1 step (2-8-8-2 tanh, batch 10, SGD): {:.5} ms", time(&mut steps, 250, 15));
    let mut grid = W1Grid::new(session()?, 100);
    println!("cpu  W1 grid (100×100): {:.4} ms", time(&mut grid, 20, 15));
    Ok(())
}

async fn bench() -> Result<(), String> {
    bench_w1()?;
    bench_backend("cpu", CpuBackend::<f32>::new);
    println!("gpu: {:?}", GpuBackend::new().await.map_err(|e| e.0)?.adapter_info());
    bench_backend("gpu", || pollster::block_on(GpuBackend::new()).expect("the adapter opened a moment ago"));
    Ok(())
}

struct LabArgs {
    name: String,
    scale: Scale,
    out: String,
}

fn parse_lab_args(mut args: impl Iterator<Item = String>) -> Result<LabArgs, String> {
    let name = args.next().ok_or_else(|| format!("lab needs a name: one of {}\n{USAGE}", lab::NAMES.join(", ")))?;
    let (mut scale, mut out) = (Scale::Full, None);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--small" => scale = Scale::Small,
            "--out" => out = Some(args.next().ok_or_else(|| format!("--out needs a value\n{USAGE}"))?),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(LabArgs { out: out.unwrap_or_else(|| format!("lab-{name}")), name, scale })
}

async fn run_lab(args: LabArgs) -> Result<(), String> {
    if !lab::NAMES.contains(&args.name.as_str()) {
        return Err(format!("unknown lab {:?}; the labs are {}", args.name, lab::NAMES.join(", ")));
    }
    // Progress to stderr at most about once a second; the runner never cancels.
    let last = std::cell::Cell::new(Instant::now());
    let progress = |done: usize, total: usize| {
        if last.get().elapsed().as_secs_f64() >= 1.0 || done == total {
            eprintln!("{}: {done}/{total}", args.name);
            last.set(Instant::now());
        }
        std::future::ready(true)
    };
    let start = Instant::now();
    let report = lab::run(&args.name, args.scale, &progress).await?;
    eprintln!("{} ran in {:.1} s", args.name, start.elapsed().as_secs_f64());
    let dir = std::path::Path::new(&args.out);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let write = |file: String, text: String| {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write("report.json".into(), serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?)?;
    for figure in &report.figures {
        write(format!("{}.csv", figure.id), figure.csv())?;
    }
    println!("{}", report.verdict.line);
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let result = if args.peek().map(String::as_str) == Some("bench") {
        args.next();
        match args.next().as_deref() {
            None => pollster::block_on(bench()),
            Some("w1") => bench_w1(),
            Some(other) => Err(format!("unknown bench {other:?}; the only named one is w1\n{USAGE}")),
        }
    } else if args.peek().map(String::as_str) == Some("lab") {
        args.next();
        parse_lab_args(args).and_then(|args| pollster::block_on(run_lab(args)))
    } else if args.peek().map(String::as_str) == Some("explain") {
        args.next();
        parse_explain_args(args).and_then(|args| pollster::block_on(run_explain(args)))
    } else {
        parse_args(args).and_then(|args| pollster::block_on(run(args)))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
