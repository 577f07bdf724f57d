#!/bin/sh
# Accept the same arguments as the official image: a config path, a registry subcommand,
# or any other program to run instead.
set -e
case "$1" in
  *.yaml|*.yml) set -- docker-registry serve "$@" ;;
  serve|garbage-collect|help|-*) set -- docker-registry "$@" ;;
esac
exec "$@"
