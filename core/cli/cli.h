/* cli.h: helpers shared by the command-line front ends. */
#ifndef GS_CLI_H
#define GS_CLI_H
#endif
