'use strict';
// minicloud-wx: the wx.cloud client API for a mini-program whose backend is Minicloud.
//
//   // app.js — instead of wx.cloud.init({ env: 'my-env' }):
//   require('minicloud-wx').install({ endpoint: 'https://api.example.com', env: 'my-env' })
//
// Every other wx.cloud call of the app stays as it is. See README.md.

const { settle, failure, cloudError, codeInfo } = require('./lib/util');
const { Transport } = require('./lib/transport');
const { Database, command } = require('./lib/database');
const { storageAPI } = require('./lib/storage');
const V = require('./lib/values');

const VERSION = '0.1.0';

function unsupported(api) {
  return function (opts) {
    const err = cloudError(api + ':fail ' + api + ' is not supported by Minicloud', -1);
    return settle(opts, Promise.reject(err));
  };
}

function createCloud(options) {
  const opts = options || {};
  const wxApi = opts.wx || (typeof wx !== 'undefined' ? wx : undefined); // eslint-disable-line no-undef
  if (!wxApi) throw new Error('minicloud-wx: no wx object: run it in a mini-program, or pass install({wx})');
  if (typeof opts.endpoint !== 'string' || !/^https?:\/\//.test(opts.endpoint)) {
    throw new Error('minicloud-wx: install({endpoint}) needs the server URL, e.g. https://api.example.com');
  }
  let env = typeof opts.env === 'string' && opts.env ? opts.env : '';
  let transport = null;

  // the transport is made on first use, so that init({env}) may still name the env
  function t() {
    if (!transport) {
      if (!env) throw cloudError('cloud:fail no environment: pass install({env}) or call wx.cloud.init({env})', -501005);
      transport = new Transport({ wx: wxApi, endpoint: opts.endpoint, env, appid: opts.appid, timeout: opts.timeout, storageKey: opts.storageKey });
    }
    return transport;
  }

  // storage and function calls resolve the transport lazily as well
  const lazy = {
    get wx() {
      return wxApi;
    },
    get timeout() {
      return opts.timeout;
    },
    action: (a, p) => t().action(a, p),
    http: (o) => t().http(o),
  };
  const storage = storageAPI(lazy);

  const cloud = {
    version: VERSION,

    // init keeps wx.cloud.init({env, traceUser}) working. The env given to install()
    // wins: it names the Minicloud environment (see README, "Environments").
    init(config) {
      const c = config || {};
      const e = typeof c.env === 'string' ? c.env : c.env && (c.env.database || c.env.default);
      if (!env && e) env = e;
    },

    database(config) {
      return new Database({ action: (a, p) => t().action(a, p) }, config);
    },

    callFunction(o) {
      const api = 'cloud.callFunction';
      const p = (async () => {
        if (!o || typeof o.name !== 'string' || !o.name) throw cloudError(api + ':fail callFunction() needs {name: string}', -401003);
        let data;
        try {
          data = JSON.stringify(o.data === undefined ? {} : V.encode(o.data));
        } catch (e) {
          throw cloudError(api + ':fail data must be JSON-serializable: ' + e.message, -401003);
        }
        let r;
        try {
          r = await t().action('functions.invokeFunction', { function_name: o.name, request_data: data });
        } catch (e) {
          if (e && e.code && !e.signIn && !e.network) {
            // as wx.cloud reports a failed function: "errCode: N text | errMsg: message"
            const info = codeInfo(e.code);
            throw cloudError(api + ':fail Error: errCode: ' + info[0] + ' ' + info[1] + ' | errMsg: ' + (e.message || e.code), info[0], { requestID: e.requestId, code: e.code });
          }
          throw failure(api, e);
        }
        let result = r.data.response_data;
        if (typeof result === 'string') {
          try {
            result = result === '' ? null : JSON.parse(result);
          } catch (e) {
            /* a non-JSON answer stays a string */
          }
        }
        return { result, errMsg: api + ':ok', requestID: r.requestId };
      })();
      return settle(o, p);
    },

    uploadFile: storage.uploadFile,
    downloadFile: storage.downloadFile,
    getTempFileURL: storage.getTempFileURL,
    deleteFile: storage.deleteFile,

    CloudID(id) {
      return { cloudID: id };
    },
    CDN(target) {
      return { target };
    },
    callContainer: unsupported('cloud.callContainer'),
    connectContainer: unsupported('cloud.connectContainer'),

    // Minicloud's own additions (not part of wx.cloud)
    minicloud: {
      get env() {
        return env;
      },
      endpoint: opts.endpoint,
      // signIn signs in now (otherwise the first call does)
      signIn: () => t().accessToken().then(() => undefined),
      // signOut revokes the session on the server and forgets it on the device
      signOut: () => t().signOut(),
      // user returns the signed-in user as the server describes it ({openid, uid, …})
      user: async () => {
        const tr = t();
        const token = await tr.accessToken();
        const res = await tr.http({ url: tr.endpoint + '/auth/v1/user/me', header: { authorization: 'Bearer ' + token } });
        if (res.statusCode !== 200) throw new Error('user/me failed: HTTP ' + res.statusCode);
        return res.data;
      },
    },
  };
  return cloud;
}

// install makes wx.cloud Minicloud's and returns it.
function install(options) {
  const cloud = createCloud(options);
  const wxApi = (options && options.wx) || (typeof wx !== 'undefined' ? wx : undefined); // eslint-disable-line no-undef
  try {
    wxApi.cloud = cloud;
  } catch (e) {
    // some runtimes freeze wx: the returned object still works
    Object.defineProperty(wxApi, 'cloud', { value: cloud, configurable: true, writable: true });
  }
  return cloud;
}

module.exports = {
  install,
  createCloud,
  version: VERSION,
  command,
  Geo: V.Geo,
};
