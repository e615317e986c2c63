package cloudfns

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDeployCheckRealRuntime: the top level runs on the runtime's own builtins, not
// stand-ins (a hash, number formatting and the function's env variables are real).
func TestDeployCheckRealRuntime(t *testing.T) {
	loadMap(t, map[string]string{
		"index.js": `const crypto = require('crypto')
const sum = crypto.createHash('sha256').update('x').digest('hex')
if (sum !== '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881') throw new Error('sha256: ' + sum)
const n = new Intl.NumberFormat('en-US').format(1234.5)
if (n !== '1,234.5') throw new Error('Intl: ' + n)
if (Buffer.from('hi').toString('hex') !== '6869') throw new Error('Buffer')
if (process.env.MODE !== 'strict' || process.env.NODE_ENV !== 'production') throw new Error('env: ' + process.env.MODE)
exports.main = async () => sum
`,
		"config.json": `{"envVariables": {"MODE": "strict"}}`,
	})
	de := deployErr(t, map[string]string{
		"index.js": "const n = require('crypto').createHash('sha256').update('x').digest('hex')\nif (n.length !== 64) throw new Error('real')\nthrow new Error('top: ' + n.slice(0, 8))\n",
	})
	if de.File != "index.js" || de.Line != 3 || !strings.Contains(de.Msg, "threw Error: top: 2d711642") {
		t.Fatalf("%+v", de)
	}
}

// TestDeployCheckPendingWork: timers, immediates and requests the top level starts
// neither run nor hold the deploy up, as on an instance frozen after its cold start.
func TestDeployCheckPendingWork(t *testing.T) {
	files := map[string]string{
		"index.js": `let ticks = 0
setInterval(() => { ticks++ }, 1)
setTimeout(() => { throw new Error('a timer ran') }, 1)
setImmediate(() => { throw new Error('an immediate ran') })
const pending = fetch('https://example.com/config').then(r => r.json())
require('https').get('https://example.com/other', () => {})
exports.main = async () => ({ ticks, config: await pending })
`,
	}
	done := make(chan error, 1)
	go func() {
		_, err := LoadBundleFS(mapFS(files))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * checkTimeout):
		t.Fatal("the deploy waited for the top level's timers or requests")
	}

	// The check's end cancels the requests it started: none outlives it.
	started, ended := make(chan string, 2), make(chan string, 2)
	rt := newCheckRuntime(roundTripFunc(func(req *http.Request) (*http.Response, error) {
		started <- req.URL.Path
		<-req.Context().Done()
		ended <- req.URL.Path
		return nil, req.Context().Err()
	}))
	b := &Bundle{Files: map[string][]byte{"index.js": []byte(files["index.js"])}}
	if derr := rt.checkEntry(b, "index.js"); derr != nil {
		t.Fatal(derr)
	}
	deadline := time.After(5 * time.Second)
	for range 2 {
		select {
		case <-started:
		case <-deadline:
			t.Fatal("a request never reached the transport")
		}
		select {
		case <-ended:
		case <-deadline:
			t.Fatal("a request outlived the deploy check")
		}
	}
	if s := rt.Stats(); s.Warm != 0 || s.Versions != 0 {
		t.Fatalf("the check runtime keeps instances: %+v", s)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDeployCheckLikeColdStart: a require the runtime cannot satisfy fails the deploy
// exactly when it fails a cold start.
func TestDeployCheckLikeColdStart(t *testing.T) {
	rt := newTestRuntime(RuntimeConfig{})
	for name, files := range map[string]map[string]string{
		"unavailable builtin": {"index.js": "const cp = require('child_process')\nexports.main = async () => 1\n"},
		"caught":              {"index.js": "let cp = null\ntry { cp = require('child_process') } catch (e) {}\nexports.main = async () => cp === null\n"},
		"missing package":     {"index.js": "require('no-such-package')\nexports.main = async () => 1\n"},
		"lazy require":        {"index.js": "exports.main = async () => { try { require('worker_threads') } catch (e) { return e.code } }\n"},
		"unfollowable package": {
			"index.js":                      "const odd = require('odd')\nexports.main = async () => odd\n",
			"node_modules/odd/package.json": `{"name": "odd", "main": "dist/odd.js"}`,
			"node_modules/odd/src/odd.js":   "module.exports = 1\n",
		},
		"rejected at the top":   {"index.js": "Promise.reject(new Error('no config'))\nexports.main = async () => 1\n"},
		"rejection handled":     {"index.js": "const p = Promise.reject(new Error('later'))\np.catch(() => {})\nexports.main = async () => 1\n"},
		"fs outside the bundle": {"index.js": "const key = require('fs').readFileSync('/etc/hostname')\nexports.main = async () => 1\n"},
		"bundle file":           {"index.js": "const key = require('fs').readFileSync(__dirname + '/key.pem', 'utf8')\nexports.main = async () => key\n", "key.pem": "-----BEGIN-----\n"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadBundleFS(mapFS(files))
			var de *DeployError
			if err != nil && !errors.As(err, &de) {
				t.Fatal(err)
			}
			res := call(rt, testVersion("cold", files), `{}`)
			coldFails := res.Outcome != OutcomeSuccess
			if (err != nil) != coldFails {
				t.Fatalf("deploy error %v, but the cold start gave %s %+v", err, res.Outcome, res.Err)
			}
			t.Log(err)
			if err == nil {
				return
			}
			if !strings.Contains(de.Msg, strings.TrimPrefix(res.Err.Message, "unhandled promise rejection: ")) {
				t.Errorf("deploy %q and cold start %q disagree", de.Msg, res.Err.Message)
			}
		})
	}
}
