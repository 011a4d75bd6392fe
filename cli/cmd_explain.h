/* cli/cmd_explain.h - `swiotlb-sim explain`: the swiotlb's kernel messages
 * explained (diagnose/diagnose.h), with an optional starter scenario. */
#ifndef SWSIM_CLI_CMD_EXPLAIN_H
#define SWSIM_CLI_CMD_EXPLAIN_H

int cmd_explain(int argc, char **argv);

#endif
