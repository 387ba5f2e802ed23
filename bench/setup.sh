#!/usr/bin/env bash
# Installs what `make bench` needs beyond Go: OpenSSH's server (the baseline), less and vim
# (the pagers it serves; vim-tiny is enough, and vim or vim.tiny will do), and procps. Machines are not kept, so this runs on every `make bench` and does nothing when
# everything is already there. Debian/Ubuntu (apt-get); run as root, as the bench does.
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v less >/dev/null || need+=(less)
{ command -v vim || command -v vim.tiny; } >/dev/null || need+=(vim-tiny)
{ command -v ssh-keygen && command -v ssh; } >/dev/null || need+=(openssh-client)
command -v ps >/dev/null || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench/setup.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
