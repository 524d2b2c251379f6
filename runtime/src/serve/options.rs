//! What `/metrics` serves and to whom, whichever server carries it: the
//! exporter and the tower service each keep one [`Options`] while they are
//! configured and one checked [`Served`] while they serve.

use std::io;
use std::sync::Arc;

use super::{negotiate, render_as, Credentials, Refusal, RenderPanicked, Rendered};
use crate::encode::Exposition;
use crate::read::registry::Registry;

/// The options both servers take, as set.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    registry: Option<Arc<Registry<'static>>>,
    /// Checked when set, reported by [`checked`](Self::checked) (setters
    /// cannot fail).
    credentials: Option<Result<Credentials, &'static str>>,
    gzip: bool,
    created: bool,
}

impl Options {
    /// The default registry, no credentials, gzip with the `gzip` feature,
    /// no created timestamps.
    pub(crate) fn new() -> Self {
        Self {
            registry: None,
            credentials: None,
            gzip: cfg!(feature = "gzip"),
            created: false,
        }
    }

    pub(crate) fn registry(&mut self, registry: Arc<Registry<'static>>) {
        self.registry = Some(registry);
    }

    pub(crate) fn bearer_token(&mut self, token: &str) {
        self.credentials = Some(Credentials::bearer(token));
    }

    pub(crate) fn basic_auth(&mut self, user: &str, password: &str) {
        self.credentials = Some(Credentials::basic(user, password));
    }

    /// Gzip for clients that accept it; never without the `gzip` feature.
    pub(crate) fn gzip(&mut self, on: bool) {
        self.gzip = on && cfg!(feature = "gzip");
    }

    pub(crate) fn created_timestamps(&mut self, on: bool) {
        self.created = on;
    }

    /// The options, once they can work: a refusal is an
    /// [`io::ErrorKind::InvalidInput`] error, `"{server} option ..."`.
    pub(crate) fn checked(&self, server: &str) -> io::Result<Served> {
        let credentials = self.credentials.clone().transpose().map_err(|refusal| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{server} option {refusal}"),
            )
        })?;
        Ok(Served {
            registry: self.registry.clone(),
            credentials,
            gzip: self.gzip,
            created: self.created,
        })
    }
}

/// The checked options of a server that serves.
#[derive(Clone, Debug)]
pub(crate) struct Served {
    registry: Option<Arc<Registry<'static>>>,
    credentials: Option<Credentials>,
    gzip: bool,
    created: bool,
}

impl Served {
    /// Why a request gets no metrics, if it does not: see
    /// [`refusal`](super::refusal).
    pub(crate) fn refusal(
        &self,
        method: &str,
        path_matches: bool,
        authorization: Option<&str>,
    ) -> Option<Refusal> {
        super::refusal(
            method,
            path_matches,
            authorization,
            self.credentials.as_ref(),
        )
    }

    /// Whether `authorization` carries the credentials given in code.
    #[cfg_attr(not(feature = "web-config"), allow(dead_code))]
    pub(crate) fn admits(&self, authorization: Option<&str>) -> bool {
        self.credentials
            .as_ref()
            .is_some_and(|c| c.admit(authorization))
    }

    /// Whether `Basic` credentials were given in code.
    #[cfg_attr(not(feature = "web-config"), allow(dead_code))]
    pub(crate) fn has_basic_auth(&self) -> bool {
        self.credentials.as_ref().is_some_and(Credentials::is_basic)
    }

    /// Why an admitted request gets no metrics, if it does not (another
    /// path, another method).
    #[cfg_attr(not(feature = "web-config"), allow(dead_code))]
    pub(crate) fn refusal_admitted(&self, method: &str, path_matches: bool) -> Option<Refusal> {
        super::refusal(method, path_matches, None, None)
    }

    /// The format a request with these headers gets, and whether gzipped.
    pub(crate) fn negotiate(
        &self,
        accept: Option<&str>,
        accept_encoding: Option<&str>,
    ) -> (Exposition, bool) {
        negotiate(accept, accept_encoding, self.gzip)
    }

    /// Renders the registry in `format` into `out`, gzipped into
    /// `compressed` when `gzip`: see [`render_as`](super::render_as).
    pub(crate) fn render_as(
        &self,
        format: Exposition,
        gzip: bool,
        out: &mut Vec<u8>,
        compressed: &mut Vec<u8>,
    ) -> Result<Rendered, RenderPanicked> {
        render_as(
            self.registry.as_deref(),
            format,
            gzip,
            self.created,
            out,
            compressed,
        )
    }
}
