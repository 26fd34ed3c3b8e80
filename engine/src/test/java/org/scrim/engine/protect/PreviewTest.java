package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PreviewTest {
    @Test
    void theCropIsTakenAtTheWholeImagesScale() {
        assertEquals(new Preview.Crop(97, 22, 256, 256, 256), Preview.crop(451, 300, 512),
                "a small image: the centre at 1:1");
        assertEquals(new Preview.Crop(0, 0, 100, 80, 100), Preview.crop(100, 80, 512), "smaller than the crop: all");
        Preview.Crop wide = Preview.crop(2048, 1024, 512);
        assertEquals(256, wide.width(), "2048 px is worked at a quarter: 256 px make 64");
        assertEquals(ProtectRequest.MIN_WORK_SIZE, wide.workSize());
        Preview.Crop large = Preview.crop(4096, 4096, 512);
        assertEquals(512, large.width(), "the crop grows until its working size is the smallest the engine takes");
        assertEquals(ProtectRequest.MIN_WORK_SIZE, large.workSize());
        Preview.Crop huge = Preview.crop(8000, 6000, 512);
        assertEquals(Preview.MAX_SIDE, huge.width(), "but never past the largest crop");
        assertEquals(ProtectRequest.MIN_WORK_SIZE, huge.workSize());
    }

    /** A photo whose largest trainer view is smaller than the working size is worked, and previewed, at that view. */
    @Test
    void aPhotoIsPreviewedAtItsLargestTrainerViewsScale() {
        Preview.Crop photo = Preview.crop(4096, 4096, ProtectRequest.DEFAULT_WORK_SIZE);
        assertEquals(256, photo.width(), "a quarter, as its 1024x1024 view: 256 px make 64");
        assertEquals(ProtectRequest.MIN_WORK_SIZE, photo.workSize());
    }
}
