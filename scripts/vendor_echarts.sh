#!/usr/bin/env bash
# Re-fetch the vendored Apache ECharts from the npm registry (run by hand when upgrading; the
# platform never loads anything from the internet at run time). Checks the tarball's SHA-256.
set -euo pipefail
VERSION=6.1.0
SHA256=681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack "echarts@$VERSION" --silent >/dev/null
echo "$SHA256  echarts-$VERSION.tgz" | sha256sum -c -
tar xzf "echarts-$VERSION.tgz"
mkdir -p "$ROOT/static/vendor/echarts"
cp package/dist/echarts.min.js package/LICENSE package/NOTICE "$ROOT/static/vendor/echarts/"
echo "static/vendor/echarts: Apache ECharts $VERSION"
