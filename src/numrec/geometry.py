"""The one home of MNIST's geometry and file-format constants.

Every size the model, the preprocessing and the data reader need is derived
from the values here, so nothing else in the package writes 28, 20 or 10.
"""

from __future__ import annotations

# MNIST images are IMAGE_SIZE x IMAGE_SIZE grey levels, white ink on black.
IMAGE_SIZE = 28
# Each MNIST digit was scaled to fit a DIGIT_BOX x DIGIT_BOX box (aspect kept)
# before being centred by its centre of mass in the 28x28 field.
DIGIT_BOX = 20
NUM_CLASSES = 10
# A model may add one output after the digits: "this is not one whole digit" (a letter, a
# scribble, two digits merged, half a digit). Its index, and the most outputs a model has.
NOT_DIGIT = NUM_CLASSES
MAX_OUTPUTS = NUM_CLASSES + 1
CHANNELS = 1
# The model's input shape without the batch axis: (C, H, W).
INPUT_SHAPE = (CHANNELS, IMAGE_SIZE, IMAGE_SIZE)

# Mean and standard deviation of MNIST training pixels scaled to [0, 1]
# (measured over all 60,000 images; the model normalises with these).
PIXEL_MEAN = 0.1307
PIXEL_STD = 0.3081
PIXEL_MAX = 255

# idx file format: big-endian magic numbers 0x00000801 (labels, 1 dim) and
# 0x00000803 (images, 3 dims); the low byte is the number of dimensions.
IDX_LABELS_MAGIC = 2049
IDX_IMAGES_MAGIC = 2051
IDX_HEADER_INT_BYTES = 4

# The line model (train/line_network.py, read/line.py) reads a whole number's ink scaled to LINE_HEIGHT
# rows, one column of scores every LINE_STRIDE pixels: the CTC blank, then the ten digits.
LINE_HEIGHT = 32
LINE_STRIDE = 4
LINE_CLASSES = NUM_CLASSES + 1
