/* cli/cmd_run.h - the run, validate and plot commands. */
#ifndef SWSIM_CLI_CMD_RUN_H
#define SWSIM_CLI_CMD_RUN_H

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif
