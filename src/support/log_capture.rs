//! A `log` logger that keeps every record, for the tests that check what
//! enumeter says: install it once per test binary with [`install`].

use std::sync::Mutex;

/// Every record logged so far: level, target, message.
pub struct Capture(pub Mutex<Vec<(log::Level, String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        self.0.lock().unwrap().push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }

    fn flush(&self) {}
}

/// The test binary's logger.
pub static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

/// Makes [`CAPTURE`] the logger, every level on; once per test binary.
pub fn install() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        log::set_logger(&CAPTURE).expect("the only logger of this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// What has been logged so far.
pub fn records() -> Vec<(log::Level, String, String)> {
    CAPTURE.0.lock().unwrap().clone()
}
