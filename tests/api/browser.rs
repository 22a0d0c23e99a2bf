//! A real browser for the dashboard's tests: Debian's `chromium`, headless,
//! driven over the DevTools protocol (a WebSocket) from a blocking thread
//! while the test's runtime keeps serving the page.
//!
//! Without chromium the browser tests say so and stop, unless
//! `GEF_REQUIRE_BROWSER=1` (as in CI), which turns its absence into a failure.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tempfile::TempDir;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

pub struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    _profile: TempDir,
}

/// The browser's executable, if there is one.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Runs `steps` with a browser on a blocking thread, or answers `None` when
/// there is no browser and none is required.
pub async fn with_browser<T: Send + 'static>(
    steps: impl FnOnce(&mut Browser) -> T + Send + 'static,
) -> Option<T> {
    let Some(executable) = chromium() else {
        assert!(
            std::env::var("GEF_REQUIRE_BROWSER").is_err(),
            "GEF_REQUIRE_BROWSER is set but chromium is not installed"
        );
        eprintln!("no chromium: the browser test is skipped (apt-get install chromium to run it)");
        return None;
    };
    let handle = actix_web::rt::task::spawn_blocking(move || {
        let mut browser = Browser::launch(executable);
        steps(&mut browser)
    });
    Some(handle.await.expect("the browser steps panicked"))
}

impl Browser {
    fn launch(executable: &str) -> Self {
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut child = Command::new(executable)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--window-size=1366,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().expect("chromium's stderr");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = sender.send(line[at..].trim().to_owned());
                }
            }
        });
        let address = receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("chromium prints its DevTools address");
        let (socket, _) = tungstenite::connect(address.as_str()).expect("DevTools connects");
        let mut browser = Self {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = browser.call(
            "Target.createTarget",
            json!({ "url": "about:blank" }),
            false,
        );
        let target_id = target["targetId"].as_str().expect("a target").to_owned();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
            false,
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session")
            .to_owned();
        browser.call("Page.enable", json!({}), true);
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
            true,
        );
        browser
    }

    /// Sends one DevTools command and answers its result, skipping events.
    fn call(&mut self, method: &str, params: Value, in_page: bool) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if in_page {
            message["sessionId"] = Value::from(self.session.clone());
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("DevTools accepts the command");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "{method} got no answer");
            let Message::Text(text) = self.socket.read().expect("DevTools answers") else {
                continue;
            };
            let answer: Value = serde_json::from_str(text.as_str()).expect("DevTools speaks JSON");
            if answer["id"] == json!(id) {
                assert!(answer.get("error").is_none(), "{method} failed: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// From now on the page is seen as on a phone `width` CSS pixels wide.
    pub fn phone(&mut self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 3, "mobile": true }),
            true,
        );
    }

    /// From now on every page loaded records the Content-Security-Policy
    /// violations it meets, in `window.violations`.
    pub fn record_policy_violations(&mut self) {
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "window.violations = []; document.addEventListener(\
                'securitypolicyviolation', e => window.violations.push(\
                e.violatedDirective + ' ' + e.blockedURI));" }),
            true,
        );
    }

    /// Loads `url` and waits until `condition` holds in it.
    pub fn open_until(&mut self, url: &str, condition: &str) {
        self.eval("window.leaving = true");
        self.call("Page.navigate", json!({ "url": url }), true);
        self.wait_for(&format!(
            "!window.leaving && document.readyState === 'complete' && ({condition})"
        ));
    }

    /// Loads `url` and waits until the page has drawn its figures.
    pub fn open(&mut self, url: &str) {
        // The page being left carries a mark the new one will not have.
        self.eval("window.leaving = true");
        self.call("Page.navigate", json!({ "url": url }), true);
        self.wait_for(
            "!window.leaving && document.readyState === 'complete' \
             && document.getElementById('app')?.dataset.rendered >= 1",
        );
    }

    /// The value of a script run in the page (promises awaited).
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            true,
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "the script failed: {expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Waits (up to 20 s) until `condition` holds in the page.
    pub fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.eval(&format!("Boolean({condition})")) == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page never got to: {condition}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// How many times the page has drawn its figures.
    pub fn renders(&mut self) -> u64 {
        self.eval("Number(document.getElementById('app').dataset.rendered || 0)")
            .as_u64()
            .unwrap_or(0)
    }

    /// A PNG of the page's first `height` pixels, at three quarters of its size.
    pub fn screenshot(&mut self, height: u32) -> Vec<u8> {
        let clip = json!({ "x": 0, "y": 0, "width": 1366, "height": height, "scale": 0.75 });
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true, "clip": clip }),
            true,
        );
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
