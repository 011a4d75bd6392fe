# plots/area_heatmap.gp - per-area use over time as a heat map (share of each
# area's slots in use), from area_use.csv.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
set output dir."/area_use.".fmt
set title "per-area use (share of the area's slots in use)"
set xlabel "simulated time (s)"
set ylabel "area"
set cblabel "used share"
set cbrange [0:1]
set palette defined (0 "#ffffff", 0.5 "#fdae61", 0.8 "#d7191c", 1 "#67001f")
set key off
set autoscale xfix
set ytics 1
stats dir."/area_use.csv" using "area" nooutput
load plotdir."/time_axis.gp"
set yrange [-0.5:STATS_max + 0.5]
if (STATS_max > 32) set ytics 8
plot dir."/area_use.csv" using (column("time_ns") / 1e9):"area":"used_share" with image notitle
