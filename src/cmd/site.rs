//! `kimo site DIR`: the public portal as static files.

use anyhow::{Result, bail};
use kimo_store::Store;

/// Writes the site and reports what it wrote; links to nothing in the site are an error.
pub fn run(store: Store, dir: &std::path::Path) -> Result<()> {
    let started = std::time::Instant::now();
    let summary = build(store, dir)?;
    println!(
        "Statische Seiten in {}: {} Seiten, {} Dateien, {} MB in {:.1} s.",
        dir.display(),
        summary.pages,
        summary.files,
        kimo_model::format_number(summary.bytes as f64 / 1e6, 1),
        started.elapsed().as_secs_f64()
    );
    if !summary.outside.is_empty() {
        bail!(
            "{} Verweise führen aus den statischen Seiten hinaus, zum Beispiel {}",
            summary.outside.len(),
            summary.outside[..summary.outside.len().min(5)].join("; ")
        );
    }
    Ok(())
}

/// Builds the site from the store (the public's view).
pub fn build(store: Store, dir: &std::path::Path) -> Result<kimo_web::SiteSummary> {
    // Each row is read a few times at most: a small page cache per connection keeps memory low.
    store.set_page_cache(2048)?;
    kimo_work::evaluate::run_pending(&store)?;
    // Without the page cache: each page is made once, and the cache would hold the whole site.
    let state = kimo_web::AppState::new(store, false, false);
    let keep = state.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let summary = rt.block_on(kimo_web::write_site(state, dir));
    drop(rt);
    drop(keep);
    summary.map_err(|e| anyhow::anyhow!("{e}"))
}
