# The chart of a wd-bench run: gnuplot -e "datafile='...'; outfile='...'"
# chart.gp. Block 0 of the data: ns per op of each ring path by batch
# size; block 1: MB/s by request size at queue depth 8, offloaded and on
# the submitting CPU; block 2: the peers, MB/s by size at queue depth 8
# with one thread each (columns 2-5 COPY, 6-9 CRC32C, 10-13 COMPRESS:
# soft0, worker pool, AF_ALG, this thread; 0 where a peer has no such op).
set terminal png size 1800,1100 font ",11"
set output outfile
set multiplot layout 2,3 title "WarpDrive wd-bench, wall-clock mode: one run in the lab VM (TCG): read the ratios"
set logscale xy
set grid
set key top right

set title "Ring paths: ns per op (lower is better)"
set xlabel "SQEs per submission"
set ylabel "ns per op"
set xtics (1, 8, 32, 128)
plot datafile index 0 using 1:2 with linespoints lw 2 title "IORING\\_OP\\_NOP", \
     '' index 0 using 1:3 with linespoints lw 2 title "bare URING\\_CMD (/dev/null)", \
     '' index 0 using 1:4 with linespoints lw 2 title "WarpDrive NOP at issue", \
     '' index 0 using 1:5 with linespoints lw 2 title "WarpDrive NOP, engine", \
     '' index 0 using 1:6 with linespoints lw 2 title "  engine, DEFER\\_TASKRUN ring", \
     '' index 0 using 1:7 with linespoints lw 2 title "  engine, IOPOLL ring"

set title "Throughput at queue depth 8: offloaded (filled) and this CPU (open)"
set xlabel "bytes per request"
set ylabel "MB/s"
set xtics auto
set key bottom right
plot datafile index 1 using 1:2 with linespoints lw 2 lc 1 pt 7 title "COPY", \
     '' index 1 using 1:3 with linespoints lw 1 lc 1 pt 6 title "memcpy", \
     '' index 1 using 1:4 with linespoints lw 2 lc 2 pt 5 title "CRC32C", \
     '' index 1 using 1:5 with linespoints lw 1 lc 2 pt 4 title "CRC32C (SSE4.2)", \
     '' index 1 using 1:6 with linespoints lw 2 lc 3 pt 9 title "COMPRESS gzip -1", \
     '' index 1 using 1:7 with linespoints lw 1 lc 3 pt 8 title "zlib -1"

set multiplot next

# one panel per op: soft0 against the peers a user would pick instead
pos(c) = column(c) > 0 ? column(c) : 1/0
do for [o = 0:2] {
	name = o == 0 ? "COPY" : (o == 1 ? "CRC32C" : "COMPRESS (gzip -1)")
	set title sprintf("%s, queue depth 8, one thread each: MB/s", name)
	c = 2 + 4 * o
	plot datafile index 2 using 1:(pos(c)) with linespoints lw 2 pt 7 title "soft0 (1 engine)", \
	     '' index 2 using 1:(pos(c + 1)) with linespoints lw 2 pt 5 title "worker pool (MSG\\_RING)", \
	     '' index 2 using 1:(pos(c + 2)) with linespoints lw 2 pt 9 title "AF\\_ALG", \
	     '' index 2 using 1:(pos(c + 3)) with linespoints lw 1 pt 6 title "this thread"
}
unset multiplot
