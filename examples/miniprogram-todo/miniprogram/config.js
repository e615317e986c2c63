// Where the backend is: Minicloud's base URL and the environment id it serves
// (--env-id; keep the id the app used on CloudBase). On a phone the endpoint must be
// an HTTPS domain listed in the mini-program's request and downloadFile domains.
module.exports = {
  endpoint: 'http://127.0.0.1:8090',
  env: 'my-env',
}
