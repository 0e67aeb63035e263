#!/bin/sh
# Compose's proxy runs this from /docker-entrypoint.d before nginx starts: it writes
# /etc/nginx/nginx.conf from the mounted template with RATE_LIMIT's values (120/min, 5/s, or
# off to drop every limit), exactly as `npm run stack` renders it (src/dev/stack/nginx-config.ts;
# test/deploy/nginx-config.test.ts compares the two).
set -eu
template=${NGINX_CONF_TEMPLATE:-/etc/nginx/nginx.conf.template}
output=${NGINX_CONF_OUTPUT:-/etc/nginx/nginx.conf}
limit=$(printf '%s' "${RATE_LIMIT:-120/min}" | tr 'A-Z' 'a-z' | tr -d ' ')
if [ "$limit" = off ]; then
  sed -e '/limit_req/d' "$template" > "$output"
  exit 0
fi
count=${limit%%/*}
case "$count" in '' | *[!0-9]*) echo "RATE_LIMIT=$RATE_LIMIT: expected a rate such as 120/min or 5/s, or off" >&2; exit 1 ;; esac
case "${limit#*/}" in
  s | sec | second) rate="${count}r/s"; wait=1 ;;
  min | minute) rate="${count}r/m"; wait=$(( (60 + count - 1) / count )) ;;
  *) echo "RATE_LIMIT=$RATE_LIMIT: expected a rate such as 120/min or 5/s, or off" >&2; exit 1 ;;
esac
# The 429 page's Retry-After: the seconds until the rate admits the next request (at least 1).
sed -e "s#rate=[0-9]*r/[ms]#rate=$rate#" -e "s#burst=[0-9]*#burst=$count#" \
  -e "s#add_header Retry-After [0-9]* always; \# seconds per request at RATE_LIMIT#add_header Retry-After $wait always; \# seconds per request at RATE_LIMIT#" \
  "$template" > "$output"
