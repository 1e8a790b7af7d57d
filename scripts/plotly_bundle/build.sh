#!/usr/bin/env bash
# Rebuild assets/vendor/plotly-sasci.min.js: plotly.js with only the traces the app draws.
# Needs Node and npm (the package registry through npm's own configuration); see README.md.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
# The CSS plotly.js imports belongs to the map (maplibre) subplots, which are not included.
node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --target=es2016 --define:global=window --define:define.amd=false \
  --define:process.env.NODE_DEBUG=false --alias:stream=stream-browserify \
  --loader:.css=empty --legal-comments=eof --log-level=warning \
  --outfile=../../assets/vendor/plotly-sasci.min.js
ls -l ../../assets/vendor/plotly-sasci.min.js
