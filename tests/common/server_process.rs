//! What the out-of-process peers (`openssl s_server`, `gnutls-serv`) share:
//! a server run as a child process in its own temp dir, its stdout and
//! stderr kept in files there for tests to read and for panic messages,
//! killed when the guard drops.

use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command};
use std::time::{Duration, Instant};

use super::tempdir::TempDir;

/// How long a server may take to start listening, or to print something
/// awaited with [`ServerProcess::wait_for`].
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running server process; killed on drop.
pub struct ServerProcess {
    /// What to call it in messages: "openssl s_server", "gnutls-serv".
    name: &'static str,
    child: Option<Child>,
    dir: Option<TempDir>,
    stdout_path: PathBuf,
    stderr_path: PathBuf,
    command_line: String,
}

impl ServerProcess {
    /// Runs `command` (program and arguments set, stdin as the caller
    /// wants it) in `dir`, its output going to files there. `command_line`
    /// is what diagnostics show; `missing` the panic message should the
    /// program not be installed.
    pub fn spawn(
        name: &'static str,
        mut command: Command,
        command_line: String,
        dir: TempDir,
        missing: &str,
    ) -> ServerProcess {
        let stdout_path = dir.join("stdout.txt");
        let stderr_path = dir.join("stderr.txt");
        let file = |path: &PathBuf| {
            std::fs::File::create(path)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()))
        };
        let child = command
            .stdout(file(&stdout_path))
            .stderr(file(&stderr_path))
            .current_dir(dir.path())
            .spawn()
            .unwrap_or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    panic!("{missing}: {e}")
                }
                panic!("cannot run `{command_line}`: {e}")
            });
        ServerProcess {
            name,
            child: Some(child),
            dir: Some(dir),
            stdout_path,
            stderr_path,
            command_line,
        }
    }

    /// The child's stdin, if it was piped (once).
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.child.as_mut()?.stdin.take()
    }

    /// Panics, with the output, if the process has ended: `doing` says
    /// what it should have been doing. `Some(stderr)` instead when it
    /// ended and `may_end` accepts its stderr (a port already taken, say).
    pub fn check_running(&mut self, doing: &str, may_end: impl Fn(&str) -> bool) -> Option<String> {
        let child = self.child.as_mut().expect("server running");
        let Ok(Some(status)) = child.try_wait() else {
            return None;
        };
        let stderr = self.stderr();
        if may_end(&stderr) {
            return Some(stderr);
        }
        panic!(
            "{} exited ({status}) before {doing}\n{}",
            self.name,
            self.diagnostics()
        );
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// A file in the server's temp dir.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|dir| dir.join(name))
    }

    /// Everything the server has printed to stdout so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout_path).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Waits (up to [`STARTUP_TIMEOUT`]) until stdout contains `needle`;
    /// false if it never does.
    pub fn wait_for_stdout(&self, needle: &str) -> bool {
        self.wait_for(needle, Self::stdout)
    }

    /// Waits (up to [`STARTUP_TIMEOUT`]) until stderr contains `needle`;
    /// false if it never does.
    pub fn wait_for_stderr(&self, needle: &str) -> bool {
        self.wait_for(needle, Self::stderr)
    }

    fn wait_for(&self, needle: &str, output: fn(&Self) -> String) -> bool {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if output(self).contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// The command line, stdout and stderr, for a panic message.
    pub fn diagnostics(&self) -> String {
        format!(
            "command: {}\n--- {name} stdout ---\n{}\n--- {name} stderr ---\n{}",
            self.command_line,
            self.stdout(),
            self.stderr(),
            name = self.name,
        )
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server and hands back its temp dir, for another try.
    pub fn stop_and_take_dir(mut self) -> TempDir {
        self.kill();
        self.dir.take().expect("temp dir present until drop")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
