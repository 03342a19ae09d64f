Console.WriteLine("poft");
