# plots/common.gp - shared set-up for every chart: reads `dir` (the run
# directory) and `fmt` (png or svg), sets the terminal and CSV parsing.
if (!exists("dir")) dir = "."
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") {
    set terminal svg size 1000,560 dynamic enhanced font "sans,12" background rgb "white"
} else {
    set terminal png size 1000,560 enhanced font "sans,11"
}
set datafile separator comma
set key top left box opaque
set grid lc rgb "#dddddd"
set border lc rgb "#555555"
# Facts about the run that `swiotlb-sim plot` passes with -e (-1 or absent
# when a script is run by hand): duration and warmup in seconds.
if (!exists("duration")) duration = -1
if (!exists("warmup")) warmup = -1
