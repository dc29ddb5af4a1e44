# SPDX-License-Identifier: GPL-2.0
# tap-summary.awk - turn one boot's guest TAP channel into results for scripts/vmtest.
#   awk -v k=KVER -v want="a.t b.t" -f tap-summary.awk tap.log
# Prints every guest result as "ok - KVER/TEST: desc" / "not ok - ...", then per test
# file one verdict (it began, printed a plan, ran exactly that many checks, exited 0),
# "never started" for each wanted test that did not begin, and whether the guest
# reached its final marker. Other lines (diagnostics) pass through.
{ sub(/\r$/, "") }
/^# cram-test: begin / { cur = $4; began[cur] = 1; order[++n] = cur; next }
/^# cram-test: end / {
	rc[$4] = substr($5, 4)
	print "# " $4 " took " substr($6, 6) " s"
	cur = ""
	next
}
/^# cram-guest: done/ { done = 1; next }
cur != "" && /^1\.\.[0-9]+/ { plan[cur] = substr($1, 4); next }
cur != "" && /^(not )?ok / {
	cnt[cur]++
	desc = $0
	sub(/^(not )?ok [0-9]+( - )?/, "", desc)
	printf "%sok - %s/%s: %s\n", (/^not /) ? "not " : "", k, cur, desc
	next
}
{ print }
function verdict(name,    good) {
	good = plan[name] != "" && plan[name] == cnt[name] && rc[name] == "0"
	printf "%sok - %s/%s: ran to the end, plan 1..%s, %d results, exit %s\n",
		good ? "" : "not ", k, name, plan[name] == "" ? "?" : plan[name],
		cnt[name], rc[name] == "" ? "(none: timeout or crash)" : rc[name]
}
END {
	for (i = 1; i <= n; i++)
		verdict(order[i])
	nw = split(want, w, " ")
	for (i = 1; i <= nw; i++)
		if (!(w[i] in began))
			printf "not ok - %s/%s: never started\n", k, w[i]
	printf "%sok - %s: guest finished every test and powered off cleanly\n",
		done ? "" : "not ", k
}
