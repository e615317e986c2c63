'use strict';
// How the SDK talks to Minicloud: CloudBase's action endpoint POST /web (the dialect
// @cloudbase/js-sdk speaks in CLOUD_API mode, which carries every database operation,
// update operators and aggregation, functions and storage), plus sign-in under
// /auth/v1, with wx.request and wx.login; tokens live in wx storage.
//
// Sign-in is transparent: the first call runs wx.login and exchanges the code
// (POST /auth/v1/provider/token, then /auth/v1/signin/with/provider: js-sdk's
// mini-program OpenID sign-in). Before the access token expires it is refreshed
// (POST /auth/v1/token); a call the server refuses for its token is retried once with
// a renewed one. Concurrent calls share one sign-in or refresh.
//
// wx APIs the SDK uses, all of it: wx.request, wx.uploadFile, wx.downloadFile,
// wx.login, wx.getStorageSync/setStorageSync/removeStorageSync.

const DATA_VERSION = '2020-01-10';
const SDK_VERSION = 'minicloud-wx/0.1.0';
// server codes that mean "this access token is not (or no longer) good"
const TOKEN_ERRORS = { ACCESS_TOKEN_EXPIRED: 1, UNAUTHENTICATED: 1, CHECK_LOGIN_FAILED: 1, ACCESS_TOKEN_DISABLED: 1, INVALID_ACCESS_TOKEN: 1 };

function networkError(message) {
  const e = new Error(message);
  e.network = true;
  return e;
}

function signInError(message, code, errCode) {
  const e = new Error(message);
  e.signIn = true;
  e.code = code;
  if (errCode !== undefined) e.errCode = errCode;
  return e;
}

class Transport {
  // opts: {wx, endpoint, env, appid, timeout, storageKey}
  constructor(opts) {
    this.wx = opts.wx;
    this.endpoint = String(opts.endpoint).replace(/\/+$/, '');
    this.env = opts.env;
    this.appid = opts.appid;
    this.timeout = opts.timeout;
    this.storageKey = opts.storageKey || 'minicloud:' + opts.env + ':credentials';
    this._flight = null; // the sign-in or refresh in progress
  }

  // http wraps wx.request: resolves {statusCode, data, header} for any HTTP answer,
  // rejects on a network failure.
  http(opts) {
    const wx = this.wx;
    const timeout = this.timeout;
    return new Promise((resolve, reject) => {
      const req = {
        url: opts.url,
        method: opts.method || 'GET',
        header: opts.header || {},
        data: opts.data,
        dataType: opts.dataType || 'json',
        responseType: opts.responseType || 'text',
        success: (res) => resolve(res),
        fail: (err) => reject(networkError((err && err.errMsg) || 'request:fail')),
      };
      if (timeout) req.timeout = timeout;
      const task = wx.request(req);
      if (opts.onTask) opts.onTask(task);
    });
  }

  authURL(path) {
    return this.endpoint + '/auth/v1' + path + '?client_id=' + encodeURIComponent(this.env);
  }

  // authPost posts to /auth/v1 and returns the JSON answer, or throws a sign-in error
  // carrying the server's {error, error_description}.
  async authPost(path, body, token) {
    const header = { 'content-type': 'application/json', 'x-sdk-version': SDK_VERSION };
    if (token) header.authorization = 'Bearer ' + token;
    const res = await this.http({ url: this.authURL(path), method: 'POST', header, data: body || {} });
    const data = res.data && typeof res.data === 'object' ? res.data : {};
    if (res.statusCode !== 200) {
      const desc = data.error_description || data.error || 'HTTP ' + res.statusCode;
      throw signInError('sign-in failed: ' + desc, data.error || 'HTTP_' + res.statusCode, res.statusCode >= 500 || res.statusCode === 429 ? -1 : -401001);
    }
    return data;
  }

  // ---- credentials in wx storage

  load() {
    let c;
    try {
      c = this.wx.getStorageSync(this.storageKey);
    } catch (e) {
      c = null;
    }
    return c && typeof c === 'object' && c.access_token ? c : null;
  }

  save(t) {
    const now = Date.now();
    const ttl = Math.max(0, Number(t.expires_in) || 0) * 1000;
    const c = {
      access_token: t.access_token,
      refresh_token: t.refresh_token,
      expires_at: now + ttl,
      // renew a little early: a tenth of the lifetime, at most 30 s
      renew_at: now + ttl - Math.min(30000, ttl / 10),
    };
    this.wx.setStorageSync(this.storageKey, c);
    return c;
  }

  clear() {
    try {
      this.wx.removeStorageSync(this.storageKey);
    } catch (e) {
      /* nothing stored */
    }
  }

  fresh(c) {
    return !!c && typeof c.renew_at === 'number' && Date.now() < c.renew_at;
  }

  // ---- sign-in

  wxLogin() {
    return new Promise((resolve, reject) => {
      this.wx.login({
        success: (res) => {
          if (res && res.code) resolve(res.code);
          else reject(signInError('wx.login returned no code', 'WX_LOGIN_FAILED'));
        },
        fail: (err) => reject(signInError('wx.login failed: ' + ((err && err.errMsg) || 'unknown error'), 'WX_LOGIN_FAILED')),
      });
    });
  }

  async login() {
    const code = await this.wxLogin();
    // the appid, when the app names it, lets the server refuse a code of another
    // mini-program clearly; without it the server uses its configured appid (WeChat
    // binds each code to its mini-program anyway)
    const appid = this.appid;
    const params = { provider_code_type: 'open_id' };
    if (appid) params.appid = appid;
    const body = { provider_code: code, provider_params: params };
    if (appid) body.provider_id = appid;
    const grant = await this.authPost('/provider/token', body);
    if (!grant.provider_token) throw signInError('sign-in failed: the server gave no provider token', 'INVALID_RESPONSE');
    const tokens = await this.authPost('/signin/with/provider', { provider_token: grant.provider_token });
    if (!tokens.access_token) throw signInError('sign-in failed: the server gave no access token', 'INVALID_RESPONSE');
    return this.save(tokens);
  }

  async refresh(refreshToken) {
    let tokens;
    try {
      tokens = await this.authPost('/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
    } catch (e) {
      // a refresh token the server no longer takes (expired, revoked, another server):
      // sign in again; network failures and server trouble are reported as they are
      if (e.signIn && e.errCode !== -1) {
        this.clear();
        return this.login();
      }
      throw e;
    }
    if (!tokens.access_token) throw signInError('token refresh failed: the server gave no access token', 'INVALID_RESPONSE');
    return this.save(tokens);
  }

  // single runs one sign-in or refresh at a time; concurrent callers share it.
  single(fn) {
    if (!this._flight) {
      const p = fn();
      const done = () => {
        if (this._flight === p) this._flight = null;
      };
      p.then(done, done);
      this._flight = p;
    }
    return this._flight;
  }

  renewFrom(c) {
    return this.single(() => (c && c.refresh_token ? this.refresh(c.refresh_token) : this.login()));
  }

  // accessToken returns a token that is not about to expire.
  async accessToken() {
    if (this._flight) return (await this._flight).access_token;
    const c = this.load();
    if (this.fresh(c)) return c.access_token;
    return (await this.renewFrom(c)).access_token;
  }

  // renew replaces a token the server refused (unless another call already did).
  async renew(refused) {
    if (this._flight) return (await this._flight).access_token;
    const c = this.load();
    if (c && c.access_token !== refused && this.fresh(c)) return c.access_token;
    if (c && c.access_token === refused) c.renew_at = 0;
    return (await this.renewFrom(c)).access_token;
  }

  async signOut() {
    const c = this.load();
    this.clear();
    if (c) {
      try {
        await this.authPost('/user/signout', {}, c.access_token);
      } catch (e) {
        /* the token may be expired already: the local sign-out is what counts */
      }
    }
  }

  // ---- actions

  async postAction(action, params, token) {
    const body = Object.assign({ action, dataVersion: DATA_VERSION, env: this.env, access_token: token }, params);
    const res = await this.http({
      url: this.endpoint + '/web?env=' + encodeURIComponent(this.env),
      method: 'POST',
      header: { 'content-type': 'application/json', 'x-sdk-version': SDK_VERSION },
      data: body,
    });
    const data = res.data;
    if (res.statusCode !== 200 || !data || typeof data !== 'object') {
      throw networkError('request failed: HTTP ' + res.statusCode + (typeof data === 'string' && data ? ' ' + data.slice(0, 200) : ''));
    }
    return data;
  }

  // action runs a /web action as the signed-in user and returns the answer's data;
  // a server failure is thrown as {code, message, requestId}.
  async action(action, params) {
    let token = await this.accessToken();
    let res = await this.postAction(action, params, token);
    if (res.code && TOKEN_ERRORS[res.code]) {
      token = await this.renew(token);
      res = await this.postAction(action, params, token);
    }
    if (res.code) {
      const e = new Error(res.message || res.code);
      e.code = res.code;
      e.requestId = res.requestId;
      throw e;
    }
    return { data: res.data || {}, requestId: res.requestId };
  }
}

module.exports = { Transport, networkError };
