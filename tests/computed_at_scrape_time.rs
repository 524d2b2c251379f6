//! Metrics whose values are computed when the registry renders: set from
//! the application's own functions with their labels, rendered exactly,
//! snapshotted and merged like any other metric, with no allocation per
//! scrape.

use enumeter_suite::support;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use enumeter::{metrics, Format, LabelValue, Registry, Value};

#[global_allocator]
static ALLOCATOR: support::CountingAllocator = support::CountingAllocator;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Pool {
    Primary,
    Replica,
}

/// Connection pools, as the pool library keeps them.
#[metrics(namespace = "db", register = false)]
pub enum Db {
    /// Connections by pool and whether they are in use.
    #[gauge(computed)]
    Connections { pool: Pool, in_use: bool },
    /// Cache hits counted by the cache itself.
    #[counter(computed)]
    CacheHitsTotal,
    /// Share of the primary's capacity in use.
    #[gauge(float, computed)]
    PrimaryLoad,
    /// Queries, recorded as usual beside the computed ones.
    #[counter]
    QueriesTotal,
}

static OPEN: [AtomicI64; 2] = [AtomicI64::new(0), AtomicI64::new(0)];
static BUSY: [AtomicI64; 2] = [AtomicI64::new(0), AtomicI64::new(0)];
static HITS: AtomicU64 = AtomicU64::new(0);

fn connections(pool: Pool, in_use: bool) -> i64 {
    let busy = BUSY[pool.index()].load(Ordering::Relaxed);
    if in_use {
        busy
    } else {
        OPEN[pool.index()].load(Ordering::Relaxed) - busy
    }
}

#[test]
fn computed_values_render_snapshot_and_merge_like_recorded_ones() {
    let db = DbMetrics::new();
    db.set_connections_source(connections);
    db.set_cache_hits_total_source(|| HITS.load(Ordering::Relaxed));
    db.set_primary_load_source(|| {
        BUSY[0].load(Ordering::Relaxed) as f64 / OPEN[0].load(Ordering::Relaxed).max(1) as f64
    });
    OPEN[0].store(8, Ordering::Relaxed);
    BUSY[0].store(2, Ordering::Relaxed);
    OPEN[1].store(4, Ordering::Relaxed);
    HITS.store(41, Ordering::Relaxed);
    db.queries_total().add(3);

    let registry = Registry::new().with(&db);
    assert_eq!(
        registry.render(Format::Prometheus),
        "# HELP db_connections Connections by pool and whether they are in use.\n\
         # TYPE db_connections gauge\n\
         db_connections{pool=\"primary\",in_use=\"false\"} 6\n\
         db_connections{pool=\"primary\",in_use=\"true\"} 2\n\
         db_connections{pool=\"replica\",in_use=\"false\"} 4\n\
         db_connections{pool=\"replica\",in_use=\"true\"} 0\n\
         # HELP db_cache_hits_total Cache hits counted by the cache itself.\n\
         # TYPE db_cache_hits_total counter\n\
         db_cache_hits_total 41\n\
         # HELP db_primary_load Share of the primary's capacity in use.\n\
         # TYPE db_primary_load gauge\n\
         db_primary_load 0.25\n\
         # HELP db_queries_total Queries, recorded as usual beside the computed ones.\n\
         # TYPE db_queries_total counter\n\
         db_queries_total 3\n"
    );

    // Each read computes anew.
    HITS.store(42, Ordering::Relaxed);
    BUSY[1].store(3, Ordering::Relaxed);
    let snapshot = registry.snapshot();
    assert_eq!(
        snapshot.get("db_cache_hits_total", &[]),
        Some(&Value::Counter(42))
    );
    assert_eq!(
        snapshot.get("db_connections", &[("pool", "replica"), ("in_use", "true")]),
        Some(&Value::Gauge(3))
    );
    // The cell reads what the last computation stored.
    assert_eq!(db.connections(Pool::Replica, false).get(), 1);

    // Merging adds the other instance's values, computed now, into cells
    // of an instance without a function.
    let total = DbMetrics::new();
    total.merge_from(&db);
    total.merge_from(&db);
    assert_eq!(total.cache_hits_total().get(), 84);
    assert_eq!(total.connections(Pool::Primary, false).get(), 12);
    assert_eq!(total.primary_load().get(), 0.5);
    assert_eq!(total.queries_total().get(), 6);

    // A scrape after the first allocates nothing.
    let mut out = Vec::new();
    registry.render_into(Format::Prometheus, &mut out);
    let allocated = support::allocated_while(|| {
        out.clear();
        registry.render_into(Format::Prometheus, &mut out);
        out.clear();
        registry.render_into(Format::OpenMetrics, &mut out);
    });
    assert_eq!(allocated, 0);
}
