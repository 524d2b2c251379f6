//! A registry as Remote-Write 2.0 (`io.prometheus.write.v2.Request`): the
//! series `remote_series.rs` walks, as remote write 1.0 sends them, named as
//! declared (a Prometheus 3 name as it is), each string of a request once
//! in its symbols table, each series with its metadata (type, help, unit)
//! and its start (`created_timestamp`, as Prometheus 3.5 reads it); and a
//! 2.0 request written back as 1.0, for a receiver that turns out to read
//! only 1.0 (the names then escaped with `underscores`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use smallvec::SmallVec;

use crate::cells::exemplar::ExemplarRead;
use crate::encode::remote_series::{self, One, RemoteSeries, Text};
use crate::encode::wire::{
    double_field, label_field, message_field, message_head, read_fields, string_field, varint,
    varint_field, varint_len, FieldValue,
};
use crate::read::registry::Registry;
use crate::read::{Family, Kind, Reader, SeriesRead, Writer};

/// The metric types of `io.prometheus.write.v2.Metadata`.
fn metric_type(kind: Kind) -> u64 {
    match kind {
        Kind::Counter | Kind::FloatCounter => 1,
        Kind::Gauge | Kind::FloatGauge => 2,
        Kind::Histogram(_) => 3,
        Kind::Summary(_) => 5,
        Kind::Info => 6,
        Kind::StateSet(_) => 7,
    }
}

/// What a 2.0 request carries, as the receiver's `…-Written` headers
/// count it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Carried {
    pub(crate) samples: u64,
    pub(crate) histograms: u64,
    pub(crate) exemplars: u64,
}

/// Every series of `registry` as one Remote-Write 2.0 `Request`
/// (uncompressed protobuf), each series with one sample at `timestamp_ms`
/// and the `external_labels` it does not already have.
///
/// What [`RemoteWrite`](crate::push::RemoteWrite) sends by default (split
/// into requests of `max_samples_per_send` and compressed), public for
/// those who send it themselves; the `enumeter-proto` crate of enumeter's
/// repository reads it back:
///
/// ```
/// use enumeter::push::encode_write_request_v2;
/// use enumeter_proto::remote_write_v2::Request;
/// use enumeter::{metrics, Registry};
/// use prost::Message;
///
/// /// Jobs.
/// #[metrics(register = false)]
/// pub enum Jobs {
///     /// Jobs done.
///     #[counter(name = "jobs.done_total")]
///     Done,
/// }
///
/// let jobs = JobsMetrics::new();
/// jobs.done().add(7);
/// let bytes = encode_write_request_v2(&Registry::new().with(&jobs), &[], 1_700_000_000_000);
/// let request = Request::decode(bytes.as_slice()).unwrap();
/// let series = &request.timeseries[0];
/// assert_eq!(request.labels(&series.labels_refs), [("__name__", "jobs.done_total")]);
/// assert_eq!(series.samples[0].value, 7.0);
/// let metadata = series.metadata.unwrap();
/// assert_eq!((metadata.r#type, request.symbol(metadata.help_ref)), (1, "Jobs done."));
/// ```
pub fn encode_write_request_v2(
    registry: &Registry<'_>,
    external_labels: &[(&str, &str)],
    timestamp_ms: i64,
) -> Vec<u8> {
    let mut requests = Vec::new();
    encode_requests(
        registry,
        external_labels,
        timestamp_ms,
        usize::MAX,
        &mut requests,
    );
    requests
        .pop()
        .map(|(request, _)| request)
        .unwrap_or_default()
}

/// [`encode_write_request_v2`], split into requests of at most
/// `max_series` series, appended to `requests` with what each carries.
pub(crate) fn encode_requests(
    registry: &Registry<'_>,
    external_labels: &[(&str, &str)],
    timestamp_ms: i64,
    max_series: usize,
    requests: &mut Vec<(Vec<u8>, Carried)>,
) {
    let mut batches = Batches {
        requests: Requests {
            max_series,
            external: external_labels,
            done: requests,
            current: RequestBuilder {
                generation: 1,
                ..RequestBuilder::default()
            },
        },
        series: SeriesWriter {
            external: external_labels,
            timestamp_ms,
            scratch: Vec::new(),
            refs: Vec::new(),
            text: String::new(),
            exemplar: ExemplarRead::default(),
            exemplar_bytes: Vec::new(),
            cache: SymbolCache::default(),
            carried: Carried::default(),
        },
        walk: remote_series::Scratch::default(),
    };
    Reader::with(|reader| reader.registry(registry, &mut batches));
    let Requests { done, current, .. } = batches.requests;
    if current.series > 0 || done.is_empty() {
        done.push(current.finish());
    }
}

/// The requests written so far and the one being written, which a new
/// series starts afresh once it holds `max_series`.
struct Requests<'a> {
    max_series: usize,
    external: &'a [(&'a str, &'a str)],
    done: &'a mut Vec<(Vec<u8>, Carried)>,
    current: RequestBuilder,
}

impl Requests<'_> {
    /// Before a series is started: its symbols go to the request it will
    /// be in.
    fn begin_series(&mut self) {
        if self.current.series >= self.max_series {
            let generation = self.current.generation + 1;
            let full = core::mem::take(&mut self.current);
            self.done.push(full.finish());
            self.current.generation = generation;
        }
    }

    fn symbol(&mut self, text: &str) -> u32 {
        self.current.symbol(text)
    }

    fn add(&mut self, series: &[u8], carried: Carried) {
        let request = &mut self.current;
        message_field(&mut request.series_bytes, 5, series);
        request.series += 1;
        request.carried.samples += carried.samples;
        request.carried.histograms += carried.histograms;
        request.carried.exemplars += carried.exemplars;
    }
}

/// One request being written: its symbols (the first empty) and series.
#[derive(Default)]
struct RequestBuilder {
    /// Which request this is, from 1: what a [`SymbolCache`] belongs to.
    generation: u64,
    symbols: HashMap<String, u32, BuildHasherDefault<WordHasher>>,
    symbol_bytes: Vec<u8>,
    series_bytes: Vec<u8>,
    series: usize,
    carried: Carried,
}

impl RequestBuilder {
    /// The index of `text` in the symbols, added if new.
    fn symbol(&mut self, text: &str) -> u32 {
        if self.symbols.is_empty() {
            self.symbols.insert(String::new(), 0);
            string_field(&mut self.symbol_bytes, 4, "");
        }
        if let Some(&index) = self.symbols.get(text) {
            return index;
        }
        let index = self.symbols.len() as u32;
        self.symbols.insert(text.to_owned(), index);
        string_field(&mut self.symbol_bytes, 4, text);
        index
    }

    fn finish(mut self) -> (Vec<u8>, Carried) {
        if self.symbols.is_empty() {
            self.symbol(""); // the first symbol is always the empty one
        }
        let mut out = self.symbol_bytes;
        out.extend_from_slice(&self.series_bytes);
        (out, self.carried)
    }
}

/// A hasher for the symbols table: a multiply-and-rotate over 8-byte
/// words (as rustc's FxHasher), several times faster than the standard
/// library's SipHash on label names and values. The table is the
/// sampler's own and is rebuilt for every request: no flooding to guard
/// against.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Appends each `TimeSeries` to the current request.
struct Batches<'a> {
    requests: Requests<'a>,
    series: SeriesWriter<'a>,
    walk: remote_series::Scratch,
}

impl Writer for Batches<'_> {
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let timestamp_ms = self.series.timestamp_ms;
        let mut sink = Sink {
            writer: &mut self.series,
            requests: &mut self.requests,
        };
        // 2.0 carries a Prometheus 3 name as declared.
        let name = family.desc.name;
        remote_series::write(
            &mut sink,
            &mut self.walk,
            name,
            (family, series),
            timestamp_ms,
        );
    }
}

/// Writes each series of the walk as a `TimeSeries` of the current
/// request.
struct Sink<'a, 'e, 'r> {
    writer: &'a mut SeriesWriter<'e>,
    requests: &'a mut Requests<'r>,
}

impl RemoteSeries for Sink<'_, '_, '_> {
    fn start(&mut self, one: One<'_, '_>, name: Text<'_>, extra: Option<(&str, &str)>) {
        self.writer.start(one, self.requests, name, extra);
    }

    fn sample(&mut self, value: f64) {
        self.writer.sample(value);
    }

    fn exemplar(&mut self, one: One<'_, '_>, bucket: usize) {
        self.writer.exemplar(one, self.requests, bucket);
    }

    fn histogram(&mut self, histogram: &[u8]) {
        message_field(&mut self.writer.scratch, 3, histogram);
        self.writer.carried.histograms += 1;
    }

    fn end(&mut self, one: One<'_, '_>) {
        self.writer.end(one, self.requests);
    }
}

struct SeriesWriter<'e> {
    external: &'e [(&'e str, &'e str)],
    timestamp_ms: i64,
    /// One `TimeSeries`, before it is appended with its length.
    scratch: Vec<u8>,
    /// Its label references.
    refs: Vec<u32>,
    /// A name and its suffix, joined to be looked up.
    text: String,
    exemplar: ExemplarRead,
    exemplar_bytes: Vec<u8>,
    /// The symbols of the family being written, in the current request.
    cache: SymbolCache,
    /// What the series in `scratch` carries.
    carried: Carried,
}

impl SeriesWriter<'_> {
    /// Starts a `TimeSeries` in `scratch`: its label references (field 1,
    /// packed): `__name__`, the series' labels, `extra`, the external
    /// labels it does not have, sorted by name.
    fn start(
        &mut self,
        (family, series): (&Family<'_>, &SeriesRead<'_>),
        request: &mut Requests<'_>,
        name: Text<'_>,
        extra: Option<(&str, &str)>,
    ) {
        request.begin_series();
        let cache = &mut self.cache;
        cache.fit(family, request);
        let metric = cache.metric_name(name, request, &mut self.text);
        let extra_name = extra.map(|(name, _)| name);
        cache.fit_order(family, extra_name, self.external);
        // The labels in the family's sorted order: array reads, no string
        // compared.
        self.refs.clear();
        for slot in 0..cache.order.len() {
            let (name, value) = match cache.order[slot] {
                Slot::Name => (cache.name_ref, metric),
                Slot::Label(i) => (
                    cache.label_refs[i],
                    cache.value_ref(i, series.digits[i], family, request),
                ),
                Slot::Extra => {
                    let (name, value) = extra.unwrap_or_default();
                    (request.symbol(name), request.symbol(value))
                }
                Slot::External(j) => cache.external_refs[j],
            };
            self.refs.push(name);
            self.refs.push(value);
        }
        self.scratch.clear();
        write_refs(&mut self.scratch, 1, &self.refs);
        self.carried = Carried::default();
    }

    /// The one sample of the `TimeSeries` in `scratch` (field 2).
    fn sample(&mut self, value: f64) {
        let out = &mut self.scratch;
        let sample_len = 9 + 1 + varint_len(self.timestamp_ms as u64);
        message_head(out, 2, sample_len);
        double_field(out, 1, value);
        varint_field(out, 2, self.timestamp_ms as u64);
        self.carried.samples += 1;
    }

    /// The exemplar of `series`' `bucket` (0 for a counter), if it has
    /// one (field 4): label references, value, timestamp.
    fn exemplar(
        &mut self,
        (family, series): (&Family<'_>, &SeriesRead<'_>),
        request: &mut Requests<'_>,
        bucket: usize,
    ) {
        if !family.has_exemplars() || !family.exemplar(series.index, bucket, &mut self.exemplar) {
            return;
        }
        let mut refs: SmallVec<[u32; 8]> = SmallVec::new();
        for (name, value) in self.exemplar.labels() {
            refs.push(request.symbol(name));
            refs.push(request.symbol(value));
        }
        let out = &mut self.exemplar_bytes;
        out.clear();
        write_refs(out, 1, &refs);
        double_field(out, 2, self.exemplar.value);
        varint_field(out, 3, self.exemplar.timestamp_ms);
        message_field(&mut self.scratch, 4, out);
        self.carried.exemplars += 1;
    }

    /// Ends the `TimeSeries` in `scratch` with its metadata (field 5) and
    /// start (field 6), the same for every series of the family in a
    /// request, and hands it on.
    fn end(&mut self, _: (&Family<'_>, &SeriesRead<'_>), request: &mut Requests<'_>) {
        self.scratch.extend_from_slice(&self.cache.tail);
        request.add(&self.scratch, self.carried);
    }
}

/// The symbols of one family in one request, so that a series is
/// written with array reads rather than a lookup per string: label names,
/// each label's values by index (filled as they are met), the metric's
/// name with each suffix, help, unit and the external labels.
#[derive(Default)]
struct SymbolCache {
    desc: usize,
    generation: u64,
    name_ref: u32,
    label_refs: Vec<u32>,
    value_refs: Vec<Vec<u32>>,
    metric_names: SmallVec<[(&'static str, u32); 4]>,
    external_refs: Vec<(u32, u32)>,
    /// What ends each of the family's series: its `Metadata` (type, help,
    /// unit) and start.
    tail: Vec<u8>,
    /// The labels' sorted order, for the family and the extra label name
    /// it was worked out for.
    order: Vec<Slot>,
    order_of: Option<(usize, Option<&'static str>)>,
}

/// A value whose symbol is not known yet.
const UNKNOWN: u32 = u32::MAX;

/// Where a series' label comes from, in the order its labels are sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Name,
    Label(usize),
    /// `le`, `quantile` or a state set's own label.
    Extra,
    External(usize),
}

impl SymbolCache {
    /// Makes the cache that of `family` in the current request.
    fn fit(&mut self, family: &Family<'_>, request: &mut Requests<'_>) {
        let desc = family.desc as *const _ as usize;
        let generation = request.current.generation;
        if (self.desc, self.generation) == (desc, generation) {
            return;
        }
        if self.generation != generation {
            self.external_refs.clear();
            for &(name, value) in request.external {
                self.external_refs
                    .push((request.symbol(name), request.symbol(value)));
            }
        }
        self.desc = desc;
        self.generation = generation;
        self.name_ref = request.symbol("__name__");
        self.label_refs.clear();
        self.value_refs
            .resize_with(family.desc.labels.len(), Vec::new);
        for (label, values) in family.desc.labels.iter().zip(&mut self.value_refs) {
            self.label_refs.push(request.symbol(label.name));
            values.clear();
            values.resize(label.cardinality(), UNKNOWN);
        }
        self.metric_names.clear();
        let help = request.symbol(family.desc.help);
        let unit = family.desc.unit.map_or(0, |unit| request.symbol(unit));
        let mut metadata = Vec::with_capacity(12);
        varint_field(&mut metadata, 1, metric_type(family.kind));
        if help != 0 {
            varint_field(&mut metadata, 3, u64::from(help));
        }
        if unit != 0 {
            varint_field(&mut metadata, 4, u64::from(unit));
        }
        self.tail.clear();
        message_field(&mut self.tail, 5, &metadata);
        // Only what counts from a start has one: counters, histograms,
        // summaries.
        let counts = matches!(
            family.kind,
            Kind::Counter | Kind::FloatCounter | Kind::Histogram(_) | Kind::Summary(_)
        );
        if let (true, Some(ms)) = (counts, family.created_ms) {
            varint_field(&mut self.tail, 6, ms);
        }
    }

    /// Works out the sorted order of the family's labels with `extra`
    /// (a name the writer passes: `le`, `quantile`, or the state set's
    /// own), unless it is known: names sort the same for every series of
    /// a family.
    fn fit_order(&mut self, family: &Family<'_>, extra: Option<&str>, external: &[(&str, &str)]) {
        let desc = family.desc as *const _ as usize;
        if let Some((of, known)) = self.order_of {
            if of == desc && known == extra {
                return;
            }
        }
        let labels = family.desc.labels;
        let mut named: SmallVec<[(&str, Slot); 12]> = SmallVec::new();
        named.push(("__name__", Slot::Name));
        for (i, label) in labels.iter().enumerate() {
            named.push((label.name, Slot::Label(i)));
        }
        if let Some(name) = extra {
            named.push((name, Slot::Extra));
        }
        let own = named.len();
        for (j, &(name, _)) in external.iter().enumerate() {
            // As in Prometheus, a series' own label wins over an external
            // one.
            if !named[..own].iter().any(|(n, _)| *n == name) {
                named.push((name, Slot::External(j)));
            }
        }
        named.sort_unstable_by(|a, b| a.0.cmp(b.0));
        self.order.clear();
        self.order.extend(named.iter().map(|&(_, slot)| slot));
        // Only the writer's own constant names are kept as keys.
        let extra = match extra {
            None => Some(None),
            Some("le") => Some(Some("le")),
            Some("quantile") => Some(Some("quantile")),
            Some(name) if name == family.desc.name => Some(Some(family.desc.name)),
            Some(_) => None,
        };
        self.order_of = extra.map(|extra| (desc, extra));
    }

    /// The symbol of label `i`'s value `digit`: kept for the family in
    /// the request, but for a transient label's (the `metrics` facade's),
    /// whose values may name other series at the next read.
    fn value_ref(
        &mut self,
        i: usize,
        digit: usize,
        family: &Family<'_>,
        request: &mut Requests<'_>,
    ) -> u32 {
        if family.desc.labels[i].is_transient() {
            return request.symbol(family.label_value(i, digit));
        }
        match self.value_refs[i].get(digit) {
            Some(&known) if known != UNKNOWN => known,
            _ => {
                let symbol = request.symbol(family.label_value(i, digit));
                if let Some(slot) = self.value_refs[i].get_mut(digit) {
                    *slot = symbol;
                }
                symbol
            }
        }
    }

    /// The symbol of the metric's name with `suffix` (`(name, "_bucket")`).
    fn metric_name(
        &mut self,
        (name, suffix): Text<'_>,
        request: &mut Requests<'_>,
        text: &mut String,
    ) -> u32 {
        if let Some(&(_, known)) = self.metric_names.iter().find(|(s, _)| *s == suffix) {
            return known;
        }
        text.clear();
        text.push_str(name);
        text.push_str(suffix);
        let symbol = request.symbol(text);
        // Suffixes are the writer's own constants.
        let suffix: &'static str = match suffix {
            "" => "",
            "_bucket" => "_bucket",
            "_sum" => "_sum",
            "_count" => "_count",
            _ => return symbol,
        };
        self.metric_names.push((suffix, symbol));
        symbol
    }
}

/// A packed repeated `uint32` field.
fn write_refs(out: &mut Vec<u8>, field: u32, refs: &[u32]) {
    let len: usize = refs.iter().map(|&r| varint_len(u64::from(r))).sum();
    message_head(out, field, len);
    for &r in refs {
        varint(out, u64::from(r));
    }
}

/// A 2.0 request (uncompressed) as the 1.0 `WriteRequest` of the same
/// series, samples, native histograms and exemplars, its names escaped
/// with `underscores` and its labels sorted again; metadata and starts,
/// which 1.0 cannot carry, left out. `None` where the bytes are not a
/// request this crate wrote.
pub(crate) fn to_v1(request: &[u8]) -> Option<Vec<u8>> {
    let fields = read_fields(request)?;
    let mut symbols: Vec<&str> = Vec::new();
    for (field, value) in &fields {
        if let (4, FieldValue::Len(bytes)) = (field, value) {
            symbols.push(core::str::from_utf8(bytes).ok()?);
        }
    }
    let symbol = |index: u64| symbols.get(usize::try_from(index).ok()?).copied();
    let mut out = Vec::with_capacity(request.len() * 2);
    let mut series = Vec::new();
    for (field, value) in &fields {
        let (5, FieldValue::Len(bytes)) = (field, value) else {
            continue;
        };
        series.clear();
        let mut labels: Vec<(String, String)> = Vec::new();
        let mut rest = Vec::new();
        for (field, value) in read_fields(bytes)? {
            match (field, value) {
                (1, FieldValue::Len(packed)) => {
                    let refs = read_packed(packed)?;
                    for pair in refs.chunks(2) {
                        let (name, value) = (symbol(pair[0])?, symbol(*pair.get(1)?)?);
                        let name = escape_label(name);
                        let value = if name == "__name__" {
                            names_escape(value, true)
                        } else {
                            value.to_owned()
                        };
                        labels.push((name, value));
                    }
                }
                // Samples: the same message in 1.0.
                (2, FieldValue::Len(sample)) => message_field(&mut rest, 2, sample),
                (3, FieldValue::Len(histogram)) => message_field(&mut rest, 4, histogram),
                (4, FieldValue::Len(exemplar)) => {
                    let mut one = Vec::new();
                    for (field, value) in read_fields(exemplar)? {
                        match (field, value) {
                            (1, FieldValue::Len(packed)) => {
                                for pair in read_packed(packed)?.chunks(2) {
                                    let (name, value) = (symbol(pair[0])?, symbol(*pair.get(1)?)?);
                                    label_field(&mut one, 1, name, value, "");
                                }
                            }
                            (2, FieldValue::Fixed64(bits)) => {
                                double_field(&mut one, 2, f64::from_bits(bits))
                            }
                            (3, FieldValue::Varint(ms)) => varint_field(&mut one, 3, ms),
                            _ => {}
                        }
                    }
                    message_field(&mut rest, 3, &one);
                }
                _ => {}
            }
        }
        labels.sort();
        for (name, value) in &labels {
            label_field(&mut series, 1, name, value, "");
        }
        series.extend_from_slice(&rest);
        message_field(&mut out, 1, &series);
    }
    Some(out)
}

fn escape_label(name: &str) -> String {
    if name == "__name__" {
        return name.to_owned();
    }
    names_escape(name, false)
}

fn names_escape(name: &str, metric: bool) -> String {
    enumeter_common::names::escape(name, enumeter_common::names::Scheme::Underscores, metric)
}

fn read_packed(mut bytes: &[u8]) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let (&byte, rest) = bytes.split_first()?;
            bytes = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift >= 64 {
                return None;
            }
        }
        out.push(value);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use enumeter_macros::{metrics, LabelValue};
    use enumeter_proto::remote_write::WriteRequest;
    use enumeter_proto::remote_write_v2::Request;
    use prost::Message;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[label(rename_all = "lowercase")]
    enum Mode {
        Active,
        Draining,
    }

    /// Every kind, a Prometheus 3 name among them.
    #[metrics(namespace = "v2", register = false)]
    enum Kinds {
        /// Jobs.
        #[counter(exemplars)]
        JobsTotal { ok: bool },
        /// Depth.
        #[gauge]
        Depth,
        /// Job time.
        #[histogram(unit = "seconds", buckets = [0.5, 1], exemplars, native)]
        Duration,
        /// Sizes.
        #[summary(unit = "bytes", quantiles = [0.5])]
        Size,
        /// Mode.
        #[state_set(states = Mode)]
        Mode,
        /// Dotted.
        #[counter(name = "dotted.requests_total")]
        Dotted {
            #[label(name = "http.route")]
            route: bool,
        },
    }

    fn kinds() -> KindsMetrics {
        let kinds = KindsMetrics::new();
        kinds
            .jobs_total(true)
            .add_with_exemplar(3, &[("trace_id", "aa")]);
        kinds.depth().set(4);
        kinds
            .duration()
            .observe_with_exemplar(0.75, &[("trace_id", "bb")]);
        kinds.duration().observe(2.0);
        kinds.size().observe(10.0);
        kinds.mode().set(Mode::Draining);
        kinds.dotted(true).inc();
        kinds
    }

    /// A 1.0 request's series as sorted text lines.
    fn v1_lines(request: &WriteRequest) -> Vec<String> {
        let mut lines: Vec<String> = request
            .timeseries
            .iter()
            .map(|t| format!("{t:?}"))
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn a_2_0_request_read_as_1_0_is_the_1_0_request() {
        let kinds = kinds();
        let registry = Registry::new().with(&kinds);
        let external = [("instance", "w-1")];
        let v2 = encode_write_request_v2(&registry, &external, 7);
        let v1 = crate::encode::remote_write::encode_write_request(&registry, &external, 7);
        let rewritten = to_v1(&v2).unwrap();
        let (ours, theirs) = (
            WriteRequest::decode(rewritten.as_slice()).unwrap(),
            WriteRequest::decode(v1.as_slice()).unwrap(),
        );
        assert!(theirs.timeseries.len() > 15, "{theirs:?}");
        assert_eq!(v1_lines(&ours), v1_lines(&theirs));
        // And smaller, metadata included: every string once.
        assert!(v2.len() < v1.len(), "{} vs {}", v2.len(), v1.len());
    }

    #[test]
    fn every_string_is_a_symbol_once_and_every_series_has_its_metadata() {
        let kinds = kinds();
        let registry = Registry::new().with(&kinds);
        let bytes = encode_write_request_v2(&registry, &[], 7);
        let request = Request::decode(bytes.as_slice()).unwrap();
        assert_eq!(request.symbols[0], "");
        let mut unique = request.symbols.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), request.symbols.len());
        let mut seen = Vec::new();
        for series in &request.timeseries {
            let labels = request.labels(&series.labels_refs);
            let name = labels.iter().find(|(n, _)| *n == "__name__").unwrap().1;
            let metadata = series.metadata.unwrap();
            let (kind, help, unit) = (
                metadata.r#type,
                request.symbol(metadata.help_ref),
                request.symbol(metadata.unit_ref),
            );
            seen.push(format!(
                "{name} {kind} {help:?} {unit:?} samples={} histograms={} exemplars={} \
                 started={}",
                series.samples.len(),
                series.histograms.len(),
                series.exemplars.len(),
                series.created_timestamp > 0
            ));
        }
        seen.dedup();
        assert_eq!(
            seen,
            [
                "v2_jobs_total 1 \"Jobs.\" \"\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_jobs_total 1 \"Jobs.\" \"\" samples=1 histograms=0 exemplars=1 started=true",
                "v2_depth 2 \"Depth.\" \"\" samples=1 histograms=0 exemplars=0 started=false",
                "v2_duration_seconds_bucket 3 \"Job time.\" \"seconds\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_duration_seconds_bucket 3 \"Job time.\" \"seconds\" samples=1 histograms=0 exemplars=1 started=true",
                "v2_duration_seconds_bucket 3 \"Job time.\" \"seconds\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_duration_seconds_sum 3 \"Job time.\" \"seconds\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_duration_seconds_count 3 \"Job time.\" \"seconds\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_duration_seconds 3 \"Job time.\" \"seconds\" samples=0 histograms=1 exemplars=0 started=true",
                "v2_size_bytes 5 \"Sizes.\" \"bytes\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_size_bytes_sum 5 \"Sizes.\" \"bytes\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_size_bytes_count 5 \"Sizes.\" \"bytes\" samples=1 histograms=0 exemplars=0 started=true",
                "v2_mode 7 \"Mode.\" \"\" samples=1 histograms=0 exemplars=0 started=false",
                "v2_dotted.requests_total 1 \"Dotted.\" \"\" samples=1 histograms=0 exemplars=0 started=true",
            ]
        );
    }

    #[test]
    fn requests_split_at_the_series_limit_each_with_its_own_symbols() {
        let kinds = kinds();
        let registry = Registry::new().with(&kinds);
        let mut requests = Vec::new();
        encode_requests(&registry, &[], 7, 4, &mut requests);
        let mut total = 0;
        for (bytes, carried) in &requests {
            let request = Request::decode(bytes.as_slice()).unwrap();
            assert!(request.timeseries.len() <= 4);
            let samples: usize = request.timeseries.iter().map(|t| t.samples.len()).sum();
            assert_eq!(samples as u64, carried.samples);
            for series in &request.timeseries {
                assert!(series
                    .labels_refs
                    .iter()
                    .all(|&r| (r as usize) < request.symbols.len()));
            }
            total += request.timeseries.len();
        }
        let whole = Request::decode(encode_write_request_v2(&registry, &[], 7).as_slice()).unwrap();
        assert_eq!(total, whole.timeseries.len());
    }
}
