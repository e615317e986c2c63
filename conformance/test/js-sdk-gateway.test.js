'use strict';
// js-sdk 3.x in its default endpoint mode: REST under /v1 (see lib/js-sdk-suite.js).
require('../lib/js-sdk-suite').defineJsSdkTests('GATEWAY');
