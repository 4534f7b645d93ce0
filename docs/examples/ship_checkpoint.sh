#!/bin/sh
# Keeps each signed audit checkpoint in a directory the game host's intruder cannot rewrite
# (a mounted backup share, a synced folder), one file per checkpoint named by its tree size.
#
#   MUD_AUDIT_CHECKPOINT_COMMAND='sh docs/examples/ship_checkpoint.sh /mnt/offsite/mud-checkpoints' npm start
#   npm run audit-verify -- --key "$(cat vkey)" --checkpoint /mnt/offsite/mud-checkpoints
#
# The server runs this once per checkpoint with the checkpoint on standard input and
# MUD_AUDIT_CHECKPOINT_SIZE set; a non-zero exit is logged in server.log and retried.
# Over ssh instead (the size is expanded here, by the server's shell):
#   MUD_AUDIT_CHECKPOINT_COMMAND='ssh audit@backup.example.org "cat > mud-checkpoints/$MUD_AUDIT_CHECKPOINT_SIZE.checkpoint"'
set -eu
dest=${1:?usage: ship_checkpoint.sh <directory>}
mkdir -p "$dest"
name=$(printf '%012d' "${MUD_AUDIT_CHECKPOINT_SIZE:?set by the server}").checkpoint
tmp="$dest/.incoming.$$"
cat > "$tmp"
mv "$tmp" "$dest/$name"
