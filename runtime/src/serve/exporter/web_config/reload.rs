//! The web configuration as it is now: re-read when the file, or a file it
//! names (certificate, key, client CAs), changes, so that a rotated
//! certificate is served without a restart. A file that no longer reads is
//! logged, once per content, and the last good configuration kept, as a
//! certificate replaced in two steps (the certificate, then its key) is
//! broken in between.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{read, Source, WebConfig};

/// How often the files are looked at.
pub(crate) const EVERY: Duration = Duration::from_secs(1);

/// The configuration in force, swapped whole when a reload succeeds.
#[derive(Debug)]
pub(crate) struct Live {
    source: Source,
    current: Mutex<Arc<WebConfig>>,
}

impl Live {
    /// The configuration at `source`, read now: `Err` says what is wrong.
    pub(crate) fn read(source: Source) -> Result<Self, String> {
        let config = read(&source)?;
        Ok(Self {
            source,
            current: Mutex::new(Arc::new(config)),
        })
    }

    /// The configuration in force.
    pub(crate) fn current(&self) -> Arc<WebConfig> {
        Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The bytes of every file the configuration reads, to tell a change.
    fn contents(&self, config: &WebConfig) -> Vec<Option<Vec<u8>>> {
        let mut files: Vec<PathBuf> = config.tls_files.clone();
        if let Source::File(path) = &self.source {
            files.push(path.clone());
        }
        files.iter().map(|f| std::fs::read(f).ok()).collect()
    }

    /// Re-reads the configuration; keeps the last good one when the new
    /// one does not read, or would turn TLS on or off (which the listener
    /// cannot do while it runs). `Err` says why it was kept.
    pub(crate) fn reload(&self) -> Result<(), String> {
        let config = read(&self.source)?;
        let current = self.current();
        if config.tls.is_some() != current.tls.is_some() {
            return Err("TLS cannot be turned on or off while the exporter runs; \
                        restart it"
                .to_owned());
        }
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(config);
        Ok(())
    }

    /// Looks at the files every [`EVERY`] until `stop` is dropped or sent
    /// to, reloading when they change.
    pub(crate) fn watch(&self, stop: &Receiver<()>) {
        let mut seen = self.contents(&self.current());
        // The content a failed reload was logged for, not logged again.
        let mut failed: Option<Vec<Option<Vec<u8>>>> = None;
        loop {
            match stop.recv_timeout(EVERY) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = self.contents(&self.current());
            if now == seen || failed.as_ref() == Some(&now) {
                continue;
            }
            match self.reload() {
                Ok(()) => {
                    log::info!(
                        "enumeter exporter: web config {} reloaded",
                        self.source.describe()
                    );
                    seen = self.contents(&self.current());
                    failed = None;
                }
                Err(e) => {
                    log::error!(
                        "enumeter exporter: web config {} not reloaded, the last good one \
                         stays in force: {e}",
                        self.source.describe()
                    );
                    failed = Some(now);
                }
            }
        }
    }
}
