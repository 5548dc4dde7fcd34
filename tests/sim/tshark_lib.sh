# SPDX-License-Identifier: BSD-2-Clause
# Shared by the checks that read the simulator's captures back with tshark
# (check_pcap_tshark.sh, check_pcapng_tshark.sh): source it after setting
# $me to the script's name; it takes PROGRAM WORK_DIR from the arguments
# (as $prog and $dir), defines die, and fails unless tshark is installed.

prog=${1:?usage: $me.sh PROGRAM WORK_DIR}
dir=${2:?usage: $me.sh PROGRAM WORK_DIR}

die() {
	echo "$me: FAIL: $*" >&2
	exit 1
}

if ! command -v tshark >/dev/null 2>&1; then
	die "tshark is not installed; './run test' installs it (or: apt-get install tshark)"
fi

mkdir -p "$dir" || die "cannot create $dir"
