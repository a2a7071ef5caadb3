//! The accept loop `serve` runs instead of `axum::serve`, for what that one lacks: a cap on
//! open connections, a deadline for each request's head, an idle timeout between requests, and
//! a shutdown that closes idle and half-sent connections at once instead of waiting on them.
//!
//! hyper's own `header_read_timeout` is not used: it also runs while a kept-alive connection
//! waits for its next request, so the idle timeout could never exceed it.

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A request's head must be complete this long after the connection opened or, on a
    /// kept-alive connection, after the head's first byte.
    pub header_read: Duration,
    /// A connection with no request in flight is closed after this long.
    pub idle: Duration,
    /// Connections served at once; more wait in the kernel's listen queue.
    pub max_connections: u32,
}

/// The longest a shutdown waits for requests still running (long polls answer at once).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Read buffer per connection, which bounds a request's head (larger heads get 431): what a
/// half-sent request can make the server hold. hyper's default is about 400 KB.
const MAX_BUF_BYTES: usize = 16 * 1024;

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting, closes
/// every connection without a request in flight, and waits for the others (at most
/// [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (drain, draining) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        // A slot first: at the cap, new connections stay in the listen queue, costing no file
        // descriptor and no memory here.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                let connection = Connection {
                    peer,
                    router: router.clone(),
                    limits,
                    draining: draining.clone(),
                    _slot: slot,
                };
                tokio::spawn(connection.run(stream));
            }
            Err(error) => {
                // Out of file descriptors, or the like: back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    drain.send_replace(true);
    // Each connection holds a slot until it ends: all slots back means all closed.
    let all = slots.acquire_many(limits.max_connections);
    if tokio::time::timeout(SHUTDOWN_GRACE, all).await.is_err() {
        tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; exiting anyway");
    }
}

struct Connection {
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    draining: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        let state = Arc::new(Mutex::new(ConnState {
            busy: 0,
            head_since: Some(Instant::now()),
            idle_since: Instant::now(),
            draining: false,
            reader: None,
        }));
        let io = Watched {
            stream,
            state: state.clone(),
            limits: self.limits,
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            timer_at: None,
            expired: false,
        };
        let (peer, router, busy_state) = (self.peer, self.router.clone(), state.clone());
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let busy = Busy::start(&busy_state);
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await?;
                Ok::<_, Infallible>(response.map(|body| Tracked { body, _busy: busy }))
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .max_buf_size(MAX_BUF_BYTES)
            .header_read_timeout(None);
        let connection = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        let ended = tokio::select! {
            result = connection.as_mut() => Some(result),
            _ = self.draining.changed() => None,
        };
        let result = match ended {
            Some(result) => result,
            None => {
                // Idle and half-sent connections end now (see `Watched`); a request in flight
                // finishes (long polls answer at once) and its connection then closes.
                lock(&state).draining = true;
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = result {
            tracing::debug!(%error, peer = %self.peer, "connection ended");
        }
    }
}

/// What a connection is doing, shared by its socket and its requests.
struct ConnState {
    /// Requests whose responses are not fully handed to hyper yet.
    busy: usize,
    /// When the head being waited for started (connection opened, or its first byte came).
    head_since: Option<Instant>,
    /// When the last response was handed over.
    idle_since: Instant,
    draining: bool,
    /// The read that waits without a deadline while a request is in flight; woken when the
    /// request ends, to arm the idle deadline.
    reader: Option<Waker>,
}

impl ConnState {
    /// When the connection ends unless a request arrives (none while one is in flight).
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        if self.busy > 0 {
            None
        } else if self.draining {
            Some(Instant::now())
        } else if let Some(since) = self.head_since {
            Some(since + limits.header_read)
        } else {
            Some(self.idle_since + limits.idle)
        }
    }
}

fn lock(state: &Mutex<ConnState>) -> MutexGuard<'_, ConnState> {
    // A poisoned lock only means a panic elsewhere mid-update; the counters are still usable.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counts a request as in flight from the moment hyper hands it over until its response body
/// has been taken in full (or dropped).
struct Busy(Arc<Mutex<ConnState>>);

impl Busy {
    fn start(state: &Arc<Mutex<ConnState>>) -> Self {
        let mut s = lock(state);
        s.busy += 1;
        s.head_since = None;
        Busy(state.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let reader = {
            let mut s = lock(&self.0);
            s.busy -= 1;
            s.idle_since = Instant::now();
            s.reader.take()
        };
        if let Some(reader) = reader {
            reader.wake();
        }
    }
}

/// A response body that keeps its request counted as in flight.
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, ending the connection (as end of input, so hyper still flushes what it has)
/// when a read has to wait past the connection's deadline.
struct Watched {
    stream: TcpStream,
    state: Arc<Mutex<ConnState>>,
    limits: Limits,
    timer: Pin<Box<Sleep>>,
    timer_at: Option<Instant>,
    expired: bool,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        let mut state = lock(&this.state);
        if read.is_ready() {
            if buf.filled().len() > before && state.busy == 0 && state.head_since.is_none() {
                state.head_since = Some(Instant::now());
            }
            return read;
        }
        let Some(deadline) = state.deadline(&this.limits) else {
            state.reader = Some(cx.waker().clone());
            return Poll::Pending;
        };
        drop(state);
        if deadline > Instant::now() {
            if this.timer_at != Some(deadline) {
                this.timer.as_mut().reset(deadline);
                this.timer_at = Some(deadline);
            }
            if this.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        this.expired = true;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
