//! rust-echo: an echo server on one thread (tokio's current-thread
//! runtime, which waits in epoll), keeping ServerLab's server contract but
//! for its listening line: it prints none, and logs each client on stdout.
//! `rust-echo HOST:PORT`. The kit grades it with `--args 'SERVER {addr}'`.
use std::io::ErrorKind;
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::exit;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

const USAGE: &str = "usage: rust-echo HOST:PORT (e.g. 127.0.0.1:7000 or [::1]:0)";

/// The addresses HOST:PORT names; a bad one is a usage error (exit 2).
fn resolve(text: &str) -> Vec<SocketAddr> {
    match text.to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(e) => {
            eprintln!("rust-echo: '{text}': {e}; {USAGE}");
            exit(2)
        }
    }
}

/// A listener on the first address that takes one (exit 1 if none does).
fn listen(addrs: &[SocketAddr], text: &str) -> TcpListener {
    let mut why = String::from("no address");
    for addr in addrs {
        let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() };
        let bound = socket.and_then(|s| {
            s.set_reuseaddr(true)?;
            s.bind(*addr)?;
            s.listen(1024)
        });
        match bound {
            Ok(listener) => return listener,
            Err(e) => why = e.to_string(),
        }
    }
    eprintln!("rust-echo: cannot listen on {text}: {why}");
    exit(1)
}

/// Everything the client sends goes back; its EOF ends the echo.
async fn echo(mut stream: TcpStream) {
    let mut buf = vec![0u8; 16384];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // write_all answers a short write by writing the rest
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

/// Out of descriptors or memory: the accept fails again until a client
/// leaves, so rest instead of spinning (EMFILE 24, ENFILE 23, ENOBUFS
/// 105, ENOMEM 12). Any other error is that client's alone.
fn short_of_resources(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(24 | 23 | 105 | 12)) || e.kind() == ErrorKind::OutOfMemory
}

async fn serve(listener: TcpListener) {
    let mut clients: u64 = 0;
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                clients += 1;
                println!("client {clients} from {peer}");
                tokio::spawn(echo(stream));
            }
            Err(e) if short_of_resources(&e) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(_) => {}
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 2 {
        eprintln!("{USAGE}");
        exit(2);
    }
    let addrs = resolve(&args[1]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("rust-echo: {e}");
            exit(1)
        });
    runtime.block_on(async {
        let listener = listen(&addrs, &args[1]);
        serve(listener).await
    });
}
