#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, builds, runs every test project,
# and ends with one line "N passed, N failed". Exit code: 0 only when everything passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the tests use. Fonts: the dashboard's ScottPlot charts draw text. python3-aiosmtpd: the real
# SMTP server (StartTls, authentication) the email tests send to, run with Debian's /usr/bin/python3. Chromium: the
# dashboard's browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser). postgresql: the
# clustered-mode tests start a throwaway server of their own (initdb + pg_ctl in a temp folder, as the postgres user).
# prometheus-alertmanager: the Alertmanager alert channel's tests post to a real Alertmanager of their own
# (/usr/bin/prometheus-alertmanager on a free port, storage and config in a temp folder, clustering off).
packages=(fonts-dejavu-core fontconfig python3 python3-aiosmtpd chromium postgresql prometheus-alertmanager)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "tests/run.sh: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
command -v dotnet >/dev/null || { echo "tests/run.sh: the .NET SDK (dotnet) is not installed" >&2; exit 1; }

dotnet build Monitor.sln -c Release -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Monitor.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

# Each test assembly prints "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T" (or "Failed!  - ...").
read -r passed failed < <(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+' "$log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\2 \1/' \
  | awk '{p += $1; f += $2} END {print p + 0, f + 0}')
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "tests/run.sh: no test results found" >&2
  status=1
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
