# SPDX-License-Identifier: GPL-2.0
# fleet.bash - a fleet of test hosts for tests/78-fleet.bats, built inside
# the test's holder (helpers.bash: private network and mount namespaces).
#
# The holder is the controller: it has the bridge, 198.18.10.254, and runs
# ansible-playbook and the traffic. Each host is a process with network
# and mount namespaces of its own, started from the holder: a fresh sysfs
# and bpffs (so its pins are its own), an empty /run, its own
# /etc/xdp_filter and /var/cache/xdp_filter (bind mounts of directories in
# the test's directory), a veth end "xfleet0" with 198.18.10.N on the
# bridge, and sshd on 198.18.10.N:2222 with a host key, a client key and a
# config the test made (keys only, no PAM). The hosts share /usr and the
# package database, as containers on one machine do, so the playbook
# installs one host at a time (xdp_filter_install_serial=1). /usr, /etc
# and /var are overlays whose writes stay in the test's directory (a
# throwaway root) and /root is a tmpfs: the host machine never changes.
# ns_teardown kills every process in these namespaces, sshd included.

FL_NET=198.18.10
FL_CTL=$FL_NET.254
FL_IF=xfleet0
FL_PORT=2222
FL_HOSTS=(h1 h2 h3)
declare -gA FL_PID=()

# fleet_root - the throwaway root and a private /root, in the holder.
fleet_root() {
	local d r=$FL/root
	for d in usr etc var; do
		mkdir -p "$r/$d.up" "$r/$d.work"
		in_ns mount -t overlay overlay \
			-o "lowerdir=/$d,upperdir=$r/$d.up,workdir=$r/$d.work" "/$d"
	done
	in_ns mount -t tmpfs tmpfs /root
	in_ns mkdir -p /etc/xdp_filter /var/cache/xdp_filter
}

# fleet_keys - the controller's key and each host's host key, known_hosts.
fleet_keys() {
	local h i=0
	mkdir -p "$FL/ssh"
	ssh-keygen -q -t ed25519 -N '' -C xf-fleet-controller -f "$FL/ssh/id"
	cp "$FL/ssh/id.pub" "$FL/ssh/authorized_keys"
	: >"$FL/ssh/known_hosts"
	for h in "${FL_HOSTS[@]}"; do
		i=$((i + 1))
		ssh-keygen -q -t ed25519 -N '' -C "xf-fleet-$h" -f "$FL/ssh/$h.key"
		echo "[$FL_NET.$i]:$FL_PORT $(cut -d' ' -f1,2 "$FL/ssh/$h.key.pub")" >>"$FL/ssh/known_hosts"
	done
}

# fl_in HOST CMD... - runs CMD on HOST (its network and mount namespaces).
fl_in() {
	local h=$1
	shift
	nsenter -t "${FL_PID[$h]}" -n -m -- "$@"
}

# fleet_host HOST N - starts HOST with address 198.18.10.N and its sshd.
fleet_host() {
	local h=$1 n=$2 d=$FL/$1 i
	mkdir -p "$d/etc" "$d/cache"
	# shellcheck disable=SC2016 # expanded by the host's shell
	in_ns unshare --net --mount --propagation private -- bash -c '
		set -e
		mount -t sysfs sysfs /sys
		mount -t bpf bpf /sys/fs/bpf
		mount -t tmpfs -o mode=755 tmpfs /run
		mkdir -m 755 /run/sshd
		mount --bind "$1/etc" /etc/xdp_filter
		mount --bind "$1/cache" /var/cache/xdp_filter
		ip link set lo up
		echo $$ >"$1/pid"
		touch "$1/ready"
		exec sleep 1800' host "$d" 3>&- &
	for ((i = 0; i < 100; i++)); do
		[[ -e $d/ready ]] && break
		sleep 0.05
	done
	[[ -e $d/ready ]] || { echo "host $h did not start" >&2; return 1; }
	FL_PID[$h]=$(<"$d/pid")
	in_ns ip link add "$FL_IF" type veth peer name "xfb$n"
	in_ns ip link set "xfb$n" master xfbr0 up
	in_ns ip link set "$FL_IF" netns "${FL_PID[$h]}"
	fl_in "$h" ip addr add "$FL_NET.$n/24" dev "$FL_IF"
	fl_in "$h" ip link set "$FL_IF" up
	cat >"$d/sshd_config" <<-CONF
	ListenAddress $FL_NET.$n:$FL_PORT
	HostKey $FL/ssh/$h.key
	PidFile /run/sshd.pid
	AuthorizedKeysFile $FL/ssh/authorized_keys
	PermitRootLogin prohibit-password
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	Subsystem sftp internal-sftp
	CONF
	fl_in "$h" /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
	for ((i = 0; i < 100; i++)); do
		fl_in "$h" ss -Hltn "sport = :$FL_PORT" | grep -q . && return 0
		sleep 0.05
	done
	echo "sshd on $h does not listen" >&2
	cat "$d/sshd.log" >&2
	return 1
}

# fleet_up - the holder (ns_setup), the throwaway root, the bridge with the
# controller's address, the hosts and their sshd, and the ansible files.
fleet_up() {
	local h n=0
	FL=$BATS_TEST_TMPDIR/fleet
	mkdir -p "$FL"
	ns_setup
	fleet_root
	fleet_keys
	in_ns ip link add xfbr0 type bridge
	in_ns ip addr add "$FL_CTL/24" dev xfbr0
	in_ns ip link set xfbr0 up
	for h in "${FL_HOSTS[@]}"; do
		n=$((n + 1))
		fleet_host "$h" "$n"
	done
	fleet_ansible
}

# fleet_down - kills every process in the hosts' network namespaces (sshd,
# what ansible started, listeners), then the hosts; ns_teardown does the
# holder's. Bounded: kill -9, no waiting on anything but the kills.
fleet_down() {
	local h net pid nets=()
	for h in "${!FL_PID[@]}"; do
		net=$(readlink "/proc/${FL_PID[$h]}/ns/net" 2>/dev/null) && nets+=("$net")
	done
	if ((${#nets[@]})); then
		for pid in /proc/[0-9]*; do
			pid=${pid#/proc/}
			net=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || continue
			for h in "${nets[@]}"; do
				[[ $net == "$h" ]] && kill -9 "$pid" 2>/dev/null
			done
		done
	fi
	FL_PID=()
	return 0
}

# fleet_ansible - ansible.cfg, the inventory and the group's variables.
fleet_ansible() {
	local h n=0
	mkdir -p "$FL/ansible/group_vars/xdp_filter" "$FL/ansible/host_vars" "$FL/ansible/home"
	cat >"$FL/ansible/ansible.cfg" <<-CFG
	[defaults]
	roles_path = $XF_ROOT/ansible/roles
	home = $FL/ansible/home
	local_tmp = $FL/ansible/home/tmp
	remote_tmp = $FL/ansible/remote
	interpreter_python = /usr/bin/python3
	timeout = 5
	forks = 5
	nocolor = true
	retry_files_enabled = false
	deprecation_warnings = false

	[ssh_connection]
	pipelining = true
	control_path_dir = $FL/ansible/cp
	ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o IdentitiesOnly=yes -o UserKnownHostsFile=$FL/ssh/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes
	CFG
	{
		echo "[xdp_filter]"
		for h in "${FL_HOSTS[@]}"; do
			n=$((n + 1))
			echo "$h ansible_host=$FL_NET.$n"
		done
		cat <<-VARS
		[xdp_filter:vars]
		ansible_port=$FL_PORT
		ansible_user=root
		ansible_become=false
		ansible_ssh_private_key_file=$FL/ssh/id
		VARS
	} >"$FL/ansible/inventory.ini"
	cat >"$FL/ansible/group_vars/xdp_filter/main.yml" <<-VARS
	xdp_filter_interfaces: [$FL_IF]
	xdp_filter_deb: $DEB
	xdp_filter_install_serial: 1
	VARS
}

# fleet_rules YAML-LIST [LINE...] - the group's rules, and more variables
# ("name: value" lines), in group_vars/xdp_filter/rules.yml.
fleet_rules() {
	local f=$FL/ansible/group_vars/xdp_filter/rules.yml
	echo "xdp_filter_rules: $1" >"$f"
	shift
	printf '%s\n' "$@" >>"$f"
}

# playbook [ARGS...] - ansible-playbook site.yml from the controller; its
# output in $FL/play.N.out (N counts the runs; also $FL/play.out), the
# recap lines in $FL/recap.
playbook() {
	local n out rc=0 t0=$SECONDS
	n=$(($(find "$FL" -maxdepth 1 -name 'play.*.out' | wc -l) + 1))
	out=$FL/play.$n.out
	in_ns env ANSIBLE_CONFIG="$FL/ansible/ansible.cfg" ANSIBLE_HOME="$FL/ansible/home" \
		timeout 300 ansible-playbook -i "$FL/ansible/inventory.ini" \
		"$XF_ROOT/ansible/site.yml" "$@" </dev/null >"$out" 2>&1 || rc=$?
	cp "$out" "$FL/play.out"
	sed -n '/^PLAY RECAP/,$p' "$out" | grep -E '^h[0-9] +:' >"$FL/recap" || true
	echo "# run $n (ansible-playbook site.yml${*:+ $*}): exit $rc, $((SECONDS - t0)) s" >&3
	sed 's/^/#   /' "$FL/recap" >&3
	# what failed, for the log (a test may expect it)
	grep -E '^(fatal|failed):' "$out" | cut -c1-300 | sed 's/^/#   /' >&3 || true
	return "$rc"
}

# recap HOST FIELD - a number from the last run's PLAY RECAP line of HOST.
recap() {
	sed -nE "s/^$1 +:.* $2=([0-9]+).*/\\1/p" "$FL/recap"
}

# fl_reach HOST PORT - does TCP from the controller to HOST:PORT arrive?
# (a listener on the host, a bounded connect from the controller)
fl_reach() {
	local h=$1 port=$2 addr out msg i srv
	addr=$FL_NET.${h#h}
	out=$FL/$h.recv.$port
	msg="xf-fleet-$h-$port-$RANDOM"
	: >"$out"
	fl_in "$h" timeout 6 nc -l "$addr" "$port" >"$out" 2>/dev/null 3>&- &
	srv=$!
	for ((i = 0; i < 100; i++)); do
		fl_in "$h" ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.05
	done
	echo "$msg" | in_ns timeout 3 nc -N -w 1 "$addr" "$port" >/dev/null 2>&1 || true
	for ((i = 0; i < 20; i++)); do
		grep -q "$msg" "$out" && break
		sleep 0.05
	done
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	grep -q "$msg" "$out"
}
