#!/usr/bin/env node
require('../dist/opi/cli.js').run();
