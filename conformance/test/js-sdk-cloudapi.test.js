'use strict';
// js-sdk 3.x with endPointMode 'CLOUD_API': actions posted to /web (see lib/js-sdk-suite.js).
require('../lib/js-sdk-suite').defineJsSdkTests('CLOUD_API');
