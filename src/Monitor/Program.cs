using Monitor.Cli;

return await MonitorCli.RunAsync(args);
