// Takes docs/imagej-verify.png from real windows: ImageJ with the plugin installed, under Xvfb, e.g.
//   scrim protect --decoy mosaic --seed 7 DIR/original.png -o DIR/protected.png
//   xvfb-run -a -s "-screen 0 1024x600x24" java -jar ij.jar -ijpath IMAGEJ_DIR -macro imagej-verify.ijm DIR
// Verify Protection... gets the decoy and seed from the protected file's XMP (only the two images are given).
dir = getArgument();
open(dir + "/original.png");
setLocation(0, 400);
open(dir + "/protected.png");
setLocation(262, 400);
run("Verify Protection...", "original=original.png protected=protected.png");
wait(1000);
selectWindow("Log");
run("Close");
selectWindow("Scrim Verification");
wait(1000);
run("Capture Screen");
saveAs("PNG", dir + "/imagej-verify.png");
run("Quit");
