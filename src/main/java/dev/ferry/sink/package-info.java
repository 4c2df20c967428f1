/** Writers that apply commands to a target deployment: pipelining, reply checking, acknowledged offsets. */
package dev.ferry.sink;
