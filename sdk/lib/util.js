'use strict';
// Small helpers shared by the SDK: type tests, the callback-or-promise convention of
// the wx.* APIs, and errors shaped like wx.cloud's ({errCode, errMsg}).

const toStr = Object.prototype.toString;

function typeOf(x) {
  return toStr.call(x).slice(8, -1);
}

// isPlainObject: an object literal (any realm), not an array, Date, RegExp or class
// instance with its own prototype chain.
function isPlainObject(x) {
  if (typeOf(x) !== 'Object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function hasCallbacks(opts) {
  return !!opts && (typeof opts.success === 'function' || typeof opts.fail === 'function' || typeof opts.complete === 'function');
}

function callSafely(fn, arg) {
  if (typeof fn !== 'function') return;
  try {
    fn(arg);
  } catch (e) {
    // an exception in the app's callback is the app's: report it, as WeChat does,
    // without turning a success into a failure
    if (typeof console !== 'undefined' && console.error) console.error(e);
  }
}

// settle follows the wx.* convention: with success/fail/complete callbacks the result
// goes to them (and the call returns `ret`, e.g. a task object); without, the promise
// is returned.
function settle(opts, promise, ret) {
  if (!hasCallbacks(opts)) return promise;
  promise.then(
    function (res) {
      callSafely(opts.success, res);
      callSafely(opts.complete, res);
    },
    function (err) {
      callSafely(opts.fail, err);
      callSafely(opts.complete, err);
    }
  );
  return ret;
}

// CloudBase error codes → wx.cloud's numeric errCode and its short text.
const CODES = {
  SYS_ERR: [-501001, 'resource system error'],
  SERVER_TIMEOUT: [-501002, 'resource server timeout'],
  EXCEED_REQUEST_LIMIT: [-501003, 'exceed request limit'],
  EXCEED_CONCURRENT_REQUEST_LIMIT: [-501004, 'exceed concurrent request limit'],
  INVALIID_ENV: [-501005, 'invalid env'],
  INVALID_ENV: [-501005, 'invalid env'],
  INVALID_COMMON_PARAM: [-501006, 'invalid common parameters'],
  INVALID_PARAM: [-501007, 'invalid parameters'],
  INVALID_ACTION: [-501007, 'invalid parameters'],
  REQUEST_BODY_TOO_LARGE: [-501007, 'invalid parameters'],
  INVALID_REQUEST_SOURCE: [-501008, 'invalid request source'],
  RESOURCE_NOT_INITIAL: [-501009, 'resource not initialized'],
  DATABASE_REQUEST_FAILED: [-502001, 'database request fail'],
  DATABASE_DUPLICATE_KEY: [-502001, 'database request fail'],
  DATABASE_DOCUMENT_TOO_LARGE: [-502001, 'database request fail'],
  DATABASE_INVALID_OPERRATOR: [-502002, 'database invalid command'],
  DATABASE_PERMISSION_DENIED: [-502003, 'database permission denied'],
  DATABASE_COLLECTION_EXCEED_LIMIT: [-502004, 'database exceed collection limit'],
  DATABASE_COLLECTION_NOT_EXIST: [-502005, 'database collection not exists'],
  STORAGE_REQUEST_FAIL: [-503001, 'storage request fail'],
  STORAGE_FILE_TOO_LARGE: [-503001, 'storage request fail'],
  STORAGE_EXCEED_AUTHORITY: [-503002, 'storage permission denied'],
  STORAGE_FILE_NONEXIST: [-503003, 'storage file not exists'],
  STORAGE_SIGN_PARAM_INVALID: [-503004, 'storage invalid sign parameter'],
  FUNCTIONS_REQUEST_FAIL: [-504001, 'functions request fail'],
  FUNCTION_NOT_AVAILABLE: [-504001, 'functions request fail'],
  FUNCTIONS_EXECUTE_FAIL: [-504002, 'functions execute fail'],
  FUNCTIONS_TIME_LIMIT_EXCEEDED: [-504002, 'functions execute fail'],
  FUNCTIONS_MEMORY_LIMIT_EXCEEDED: [-504002, 'functions execute fail'],
  FUNCTIONS_TOO_MANY_REQUESTS: [-501003, 'exceed request limit'],
  FUNCTIONS_CALL_TOO_DEEP: [-504002, 'functions execute fail'],
  FUNCTION_NOT_FOUND: [-501000, 'function not found'],
  UNAUTHENTICATED: [-401001, 'no permission to use the API: sign-in failed'],
  ACCESS_TOKEN_EXPIRED: [-401001, 'no permission to use the API: sign-in failed'],
};

function codeInfo(code) {
  return CODES[code] || [-1, 'unknown error'];
}

// cloudError makes the Error a wx.cloud API fails with: message === errMsg.
function cloudError(errMsg, errCode, extra) {
  const e = new Error(errMsg);
  e.errMsg = errMsg;
  e.errCode = errCode === undefined ? -1 : errCode;
  if (extra) {
    for (const k in extra) if (extra[k] !== undefined) e[k] = extra[k];
  }
  return e;
}

// failure turns whatever went wrong under api into wx.cloud's error:
//  - a server answer {code, message, requestId}: "<api>:fail <errCode> <text>. <message>"
//  - a sign-in failure ({signIn: true, …}) or a network failure: "<api>:fail <reason>"
//  - an Error thrown by the SDK (bad arguments): "<api>:fail <message>"
function failure(api, e) {
  if (e && typeof e.errMsg === 'string' && e.errCode !== undefined && e.errMsg.indexOf(api + ':fail') === 0) return e;
  if (e && e.code && typeof e.code === 'string' && !e.signIn && !e.network) {
    const info = codeInfo(e.code);
    return cloudError(api + ':fail ' + info[0] + ' ' + info[1] + '. ' + (e.message || e.code), info[0], { code: e.code, requestId: e.requestId });
  }
  if (e && e.signIn) {
    return cloudError(api + ':fail ' + e.message, e.errCode === undefined ? -1 : e.errCode, { code: e.code });
  }
  if (e && e.network) return cloudError(api + ':fail ' + e.message, -1);
  const msg = e && e.message ? e.message : String(e);
  return cloudError(api + ':fail ' + msg, e && typeof e.errCode === 'number' ? e.errCode : -1);
}

// call runs one wx.cloud API call: `body` returns the result (or throws, or rejects),
// and the outcome is delivered the wx way (callbacks or promise, see settle) with
// "<api>:ok" added to a result and failures turned into wx.cloud's errors.
function call(api, opts, body, ret) {
  let p;
  try {
    p = Promise.resolve(body());
  } catch (e) {
    p = Promise.reject(e);
  }
  p = p.then(
    (res) => Object.assign(res, { errMsg: api + ':ok' }),
    (e) => {
      throw failure(api, e);
    }
  );
  return settle(opts, p, ret);
}

function jsonClone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

module.exports = {
  typeOf: typeOf,
  isPlainObject: isPlainObject,
  hasCallbacks: hasCallbacks,
  settle: settle,
  call: call,
  codeInfo: codeInfo,
  cloudError: cloudError,
  failure: failure,
  jsonClone: jsonClone,
};
